#!/usr/bin/env python3
"""Checks peer outputs independently of our code (Python's own JSON and XML parsers).

  check-outputs.py files <dir> <values.json> <expected.json> [name-in-expected=actual-name ...]
      every file must parse; Secrets.Key<j> (JSON) or appSettings/add[@key=Key<j>]/@value (XML) must equal
      the value of the secret expected.json names for it.
  check-outputs.py map <secrets.json> <values.json>
      a name -> value map (nodecredstash getAllSecrets) must hold every value exactly.

Prints one JSON object of counts (names only, never values) and exits 0; the caller records the result.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def check_files(folder, values, expected, renames):
    result = {"files": 0, "parse_errors": 0, "placeholders": 0, "wrong_values": 0, "bad_files": []}
    for name, keys in expected.items():
        path = os.path.join(folder, renames.get(name, name))
        if not os.path.exists(path):
            continue
        result["files"] += 1
        try:
            if path.endswith(".json"):
                with open(path, encoding="utf-8-sig") as handle:
                    section = json.load(handle)["Secrets"]
                found = {key: section.get(key) for key in keys}
            else:
                root = ET.parse(path).getroot()
                adds = {a.get("key"): a.get("value") for a in root.iter("add") if a.get("key")}
                found = {key: adds.get(key) for key in keys}
        except Exception as error:  # noqa: BLE001 - any parser failure counts as a broken output file
            result["parse_errors"] += 1
            result["wrong_values"] += len(keys)
            result["placeholders"] += len(keys)
            if len(result["bad_files"]) < 5:
                result["bad_files"].append(f"{os.path.basename(path)}: {type(error).__name__}")
            continue
        for key, secret in keys.items():
            result["placeholders"] += 1
            if found.get(key) != values[secret]:
                result["wrong_values"] += 1
    return result


def check_map(secrets, values):
    missing = [n for n in values if n not in secrets]
    wrong = [n for n in values if n in secrets and secrets[n] != values[n]]
    return {"expected": len(values), "returned": len(secrets), "missing": len(missing), "wrong_values": len(wrong),
            "missing_names": missing[:5]}


def main(argv):
    if len(argv) >= 5 and argv[1] == "files":
        with open(argv[3], encoding="utf-8") as v, open(argv[4], encoding="utf-8") as e:
            values, expected = json.load(v), json.load(e)
        renames = dict(arg.split("=", 1) for arg in argv[5:])
        print(json.dumps(check_files(argv[2], values, expected, renames)))
        return 0
    if len(argv) == 4 and argv[1] == "map":
        with open(argv[2], encoding="utf-8") as s, open(argv[3], encoding="utf-8") as v:
            print(json.dumps(check_map(json.load(s), json.load(v))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
