"""Reads YAML files with PyYAML (a YAML 1.1 reader, as Python and many Kubernetes tools read files) and prints, per
file, its documents as JSON: the second, independent reader of the YAML format tests. Usage: yaml_dump.py FILE..."""
import json
import sys

import yaml

out = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", newline="") as f:
        try:
            out.append({"docs": list(yaml.safe_load_all(f))})
        except yaml.YAMLError as e:
            out.append({"error": type(e).__name__})
json.dump(out, sys.stdout, ensure_ascii=True, default=str)
