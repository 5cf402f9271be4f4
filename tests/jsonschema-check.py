#!/usr/bin/env python3
"""Validate JSON documents against a published IntegPlan JSON Schema with
Debian's python3-jsonschema (draft 2020-12).

usage: jsonschema-check.py SCHEMA FILE...
Prints "FILE: valid" or "FILE: invalid: PATH: MESSAGE" (the first error)
per file; a file holding several lines of JSON is one document per line.
Exits 0 when every document is valid, 1 otherwise, 2 on a bad schema."""
import json
import sys

import jsonschema


def documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        yield json.loads(text)
    except json.JSONDecodeError:
        for line in text.splitlines():
            if line.strip():
                yield json.loads(line)


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        print(f"{argv[1]}: not a draft 2020-12 schema: {e.message}")
        return 2
    validator = jsonschema.Draft202012Validator(schema)
    failed = 0
    for path in argv[2:]:
        for doc in documents(path):
            error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
            if error is None:
                print(f"{path}: valid")
            else:
                where = ".".join(str(p) for p in error.absolute_path)
                print(f"{path}: invalid: {where}: {error.message}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
