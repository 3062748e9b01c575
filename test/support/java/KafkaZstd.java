// Kafka's own Java client as an independent writer and reader of zstd record batches, run as a
// single source file (java -cp '<broker libs>/*' KafkaZstd.java ...), so tests and benchmarks read
// exactly the frames the Java producer writes: zstd-jni streaming frames that carry no content size.
//
//   produce BROKERS TOPIC LEVEL RECORDS LINGER_MS   values are JSON lines with a counter and filler
//                                                  text; LINGER_MS 0 with batch.size 1 sends
//                                                  one record per batch
//   consume BROKERS TOPIC                          prints "offset<TAB>value" for every record of
//                                                  partition 0, from the beginning to the end
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaZstd {
  private static final String[] WORDS = {"sword", "horse", "spellbook", "guild", "purchase", "join", "leave", "gold", "player", "level"};

  public static void main(String[] args) throws Exception {
    if (args[0].equals("produce")) produce(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
    else if (args[0].equals("consume")) consume(args[1], args[2]);
    else throw new IllegalArgumentException("produce or consume");
  }

  static void produce(String brokers, String topic, int level, int records, int lingerMs) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", brokers);
    props.put("compression.type", "zstd");
    props.put("compression.zstd.level", Integer.toString(level));
    props.put("linger.ms", Integer.toString(lingerMs));
    props.put("acks", "all");
    if (lingerMs == 0) {
      props.put("batch.size", "1");
      props.put("max.in.flight.requests.per.connection", "1");
    }
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    Random random = new Random(records * 31L + level);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int n = 0; n < records; n++) {
        StringBuilder text = new StringBuilder();
        for (int w = random.nextInt(12); w >= 0; w--) text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        String value = "{\"n\":" + n + ",\"player\":\"p" + random.nextInt(5000) + "\",\"gold\":" + random.nextInt(100000) + ",\"text\":\"" + text.toString().trim() + "\"}";
        producer.send(new ProducerRecord<>(topic, 0, null, value));
      }
      producer.flush();
    }
  }

  static void consume(String brokers, String topic) {
    Properties props = new Properties();
    props.put("bootstrap.servers", brokers);
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    TopicPartition partition = new TopicPartition(topic, 0);
    StringBuilder out = new StringBuilder();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) out.append(record.offset()).append('\t').append(record.value()).append('\n');
      }
    }
    System.out.print(out);
  }
}
