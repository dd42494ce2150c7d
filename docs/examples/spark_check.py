"""chatlint on Spark: the partition function of chatlint.frames through ``mapInPandas``.

    python docs/examples/spark_check.py messages.parquet      # a local Spark of 2 cores

Every row of a conversation must be in one partition (``repartition`` by conversation id);
within a conversation, messages are ordered by time (then by ``line`` when the frame has it).
"""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

from chatlint.frames import FINDINGS_DDL, batch_checker


def main(path: str) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the executors' Python: the one chatlint is in
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("chatlint")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    messages = spark.read.parquet(path)
    check = batch_checker(messages.columns)  # the Linter's arguments may follow: batch_checker(cols, {"select": [...]})
    findings = messages.repartition(8, "conversation_id").mapInPandas(check, FINDINGS_DDL)
    findings.cache()
    print(f"{messages.count()} messages, {findings.count()} findings")
    findings.groupBy("rule").count().orderBy("count", ascending=False).show(8, truncate=False)
    findings.select("conversation_id", "message_id", "rule", "text").orderBy("conversation_id", "line").show(
        5, truncate=40
    )
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
