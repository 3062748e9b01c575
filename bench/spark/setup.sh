#!/usr/bin/env bash
# Creates bench/.venv and installs bench/spark/requirements.txt into it. Idempotent: a venv whose
# installed pyspark already matches the pin is left alone. Prints the venv's python path last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../.venv"
req="$here/requirements.txt"
want="$(sed -n 's/^pyspark==//p' "$req")"
if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null)" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi
python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
"$venv/bin/python" -c 'import pyspark; print("pyspark", pyspark.__version__)' >&2
echo "$venv/bin/python"
