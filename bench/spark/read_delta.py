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
print(json.dumps({'rows': table.count(), 'version': max(h['version'] for h in history), 'columns': table.columns}))
spark.stop()
