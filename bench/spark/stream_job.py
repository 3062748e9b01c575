"""The Spark contender of `npm run bench`: the three workload tables as PySpark Structured Streaming.

Variant `udf` runs the way the original pipeline did: one streaming query per table, each with its
own readStream from Kafka, a Python UDF that json-decodes the value to test event_type, from_json
with the table's schema, raw_event and the Kafka timestamp, a Parquet sink with a checkpoint and a
10-second processing-time trigger. Variant `builtin` is the fair one: the same queries with a
built-in column filter on the parsed event_type, and (by default) trigger(availableNow=True).

--end-offsets '{"0":N0,"1":N1}' makes the job stop once every query has committed a batch ending at
those offsets; without it the job runs until SIGTERM/SIGINT (latency measurement).
Prints one `BENCH {...}` JSON line per milestone on stdout for the orchestrator.
"""
import argparse
import json
import os
import signal
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, from_json, udf
from pyspark.sql.types import BooleanType, StringType, StructField, StructType

COMMON = ["event_type", "event_id", "event_ts", "Host", "User-Agent", "Accept"]
TABLES = {
    "sword_purchases": (["purchase_sword"], ["color", "quantity"]),
    "horse_purchases": (["purchase_horse"], ["speed", "size", "quantity"]),
    "guild_actions": (["join_guild", "leave_guild"], ["action", "username", "guildname"]),
}
STARTED = time.time()


def milestone(name, **fields):
    """Tells the orchestrator what happened and when (seconds since this script started)."""
    print("BENCH " + json.dumps({"event": name, "t": round(time.time() - STARTED, 3), **fields}), flush=True)


def schema_for(fields):
    # Values arrive as strings (the event contract), so every column is a string, as in the original.
    return StructType([StructField(name, StringType(), True) for name in COMMON + fields])


def make_udf(event_types):
    wanted = frozenset(event_types)

    def is_wanted(raw):
        event = json.loads(raw)
        return event.get("event_type") in wanted

    return udf(is_wanted, BooleanType())


def start_query(spark, args, table, event_types, fields):
    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", args.bootstrap)
        .option("subscribe", args.topic)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "false")
        .load()
        .select(col("value").cast("string").alias("raw_event"), col("timestamp"))
    )
    def parse(df):
        return df.select("raw_event", "timestamp", from_json(col("raw_event"), schema_for(fields)).alias("json"))

    if args.variant == "udf":
        kept = parse(raw.filter(make_udf(event_types)(col("raw_event"))))
    else:
        kept = parse(raw).filter(col("json.event_type").isin(event_types))
    out = os.path.join(args.out, table)
    writer = (
        kept.select("raw_event", "timestamp", "json.*")
        .writeStream.format("parquet")
        .option("path", out)
        .option("checkpointLocation", os.path.join(args.out, "_checkpoints", table))
        .queryName(table)
    )
    if args.trigger == "available-now":
        writer = writer.trigger(availableNow=True)
    elif args.trigger != "asap":
        writer = writer.trigger(processingTime=args.trigger)
    return writer.start()


def reached(query, topic, targets):
    """True when some finished batch of `query` ended at or past every target offset."""
    for progress in query.recentProgress:
        for source in progress.get("sources", []):
            end = source.get("endOffset")
            if isinstance(end, str):
                end = json.loads(end)
            parts = (end or {}).get(topic, {})
            if all(int(parts.get(p, -1)) >= int(n) for p, n in targets.items()):
                return True
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=["udf", "builtin"], required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--out", required=True)
    parser.add_argument("--trigger", default=None, help="'10 seconds', 'available-now' or 'asap'")
    parser.add_argument("--end-offsets", default=None)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="2g")
    parser.add_argument("--package", required=True, help="the spark-sql-kafka Maven coordinate")
    parser.add_argument("--ivy", default=None, help="Ivy cache folder for the Kafka source jars")
    parser.add_argument("--resolve-only", action="store_true", help="start a session (fetching jars) and exit")
    args = parser.parse_args()
    if args.trigger is None:
        args.trigger = "10 seconds" if args.variant == "udf" else "available-now"

    builder = (
        SparkSession.builder.appName(f"gamepipe-bench-{args.variant}")
        .master(args.master)
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.jars.packages", args.package)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
    )
    if args.ivy:
        builder = builder.config("spark.jars.ivy", args.ivy)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    milestone("session", spark=spark.version)
    if args.resolve_only:
        spark.stop()
        return 0

    stopping = {"flag": False}

    def on_signal(signum, _frame):
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    queries = [start_query(spark, args, t, types, fields) for t, (types, fields) in TABLES.items()]
    milestone("started", queries=len(queries))
    targets = json.loads(args.end_offsets) if args.end_offsets else None
    status = 0
    while not stopping["flag"]:
        failed = [q for q in queries if q.exception() is not None]
        if failed:
            print(f"query {failed[0].name} failed: {failed[0].exception()}", file=sys.stderr, flush=True)
            status = 1
            break
        if targets is not None and all(reached(q, args.topic, targets) for q in queries):
            milestone("drained")
            break
        if args.trigger == "available-now" and all(not q.isActive for q in queries):
            milestone("drained" if targets is None or all(reached(q, args.topic, targets) for q in queries) else "ended")
            break
        time.sleep(0.1)
    for q in queries:
        q.stop()
    spark.stop()
    milestone("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
