"""Reads a Delta table with PySpark and delta-spark; prints its row count and version as JSON.

Used by bench/delta-readers.ts: Spark is the reader most studios already run, so a gamepipe
Delta table must read there exactly as in delta-rs and DuckDB.
"""
import argparse
import json

from pyspark.sql import SparkSession

parser = argparse.ArgumentParser()
parser.add_argument('--table', required=True)
parser.add_argument('--package', required=True)
parser.add_argument('--ivy', required=True)
args = parser.parse_args()

spark = (
    SparkSession.builder.master('local[2]')
    .appName('gamepipe-delta-read')
    .config('spark.jars.packages', args.package)
    .config('spark.jars.ivy', args.ivy)
    .config('spark.sql.extensions', 'io.delta.sql.DeltaSparkSessionExtension')
    .config('spark.sql.catalog.spark_catalog', 'org.apache.spark.sql.delta.catalog.DeltaCatalog')
    .config('spark.ui.enabled', 'false')
    .getOrCreate()
)
spark.sparkContext.setLogLevel('ERROR')
table = spark.read.format('delta').load(args.table)
history = spark.sql(f"DESCRIBE HISTORY delta.`{args.table}`").collect()
# The nested and decimal columns bench/delta-readers.ts adds: their types as Spark reads them and
# exact sums over their values (decimal sums printed as decimal text).
fields = {f.name: f.dataType.simpleString() for f in table.schema.fields if f.name in ('price', 'purchase', 'tags', 'counts')}
sums = table.selectExpr(
    'cast(sum(price) as string) as price_sum',
    'cast(sum(purchase.price) as string) as purchase_price_sum',
    'coalesce(sum(case when tags is null then 0 else size(tags) end), 0) as tags_total',
    'coalesce(sum(aggregate(map_values(counts), 0L, (a, x) -> a + coalesce(x, 0L))), 0) as counts_total',
).first()
nested = {'types': fields, **sums.asDict()}
print(json.dumps({'rows': table.count(), 'version': max(h['version'] for h in history), 'columns': table.columns, 'nested': nested}))
spark.stop()
