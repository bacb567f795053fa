#!/usr/bin/env python3
"""A small Singer tap for the connector tests: streams `users` and `orders`.

Config keys: users (how many), scenario (normal | crash | malformed |
schema_change | hang), api_token (echoed to stderr on purpose: the connector
must redact it), pid_file (where to write the tap's pid). Honours --state
bookmarks, emitting only records past them.
"""
import argparse
import json
import os
import stat
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--config", required=True)
parser.add_argument("--state")
parser.add_argument("--catalog")
args = parser.parse_args()

mode = stat.S_IMODE(os.stat(args.config).st_mode)
if mode != 0o600:
    print(f"config file mode is {oct(mode)}, expected 0o600", file=sys.stderr)
    sys.exit(3)
config = json.load(open(args.config))
state = json.load(open(args.state)) if args.state else {}
if config.get("pid_file"):
    with open(config["pid_file"], "w") as f:
        f.write(str(os.getpid()))
if args.catalog:
    catalog = json.load(open(args.catalog))
    print("catalog streams: " + ",".join(s["tap_stream_id"] for s in catalog["streams"]),
          file=sys.stderr)


def emit(message):
    print(json.dumps(message), flush=True)


scenario = config.get("scenario", "normal")
total = int(config.get("users", 5))
bookmarks = state.get("bookmarks", {})
last_user = bookmarks.get("users", {}).get("max_id", 0)
last_order = bookmarks.get("orders", {}).get("max_id", 0)
print(f"tap-shop starting after user {last_user}; token {config.get('api_token', '')}",
      file=sys.stderr, flush=True)

user_schema = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": ["null", "string"]},
        "signed_up": {"type": "string", "format": "date-time"},
        "address": {"type": "object", "properties": {"city": {"type": "string"},
                                                      "zip": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}
emit({"type": "SCHEMA", "stream": "users", "schema": user_schema, "key_properties": ["id"]})
emit({"type": "SCHEMA", "stream": "orders", "key_properties": ["id"],
      "schema": {"type": "object", "properties": {"id": {"type": "integer"},
                                                  "amount": {"type": "number"}}}})
emit({"type": "ACTIVATE_VERSION", "stream": "users", "version": 1})

for i in range(last_user + 1, total + 1):
    user = {"id": i, "name": f"user{i}", "signed_up": f"2024-01-0{1 + i % 9}T10:00:00Z",
            "address": {"city": f"city{i}", "zip": "0100" + str(i)}, "tags": ["t", f"n{i}"]}
    if scenario == "schema_change" and i >= 4:
        user["email"] = f"u{i}@example.com"
    emit({"type": "RECORD", "stream": "users", "record": user})
    if i * 10 > last_order:
        emit({"type": "RECORD", "stream": "orders", "record": {"id": i * 10, "amount": i * 1.5}})
    if scenario == "malformed" and i == 2:
        print("this line is not JSON", flush=True)
        emit({"type": "RECORD", "stream": "users", "record": {"id": "two", "name": "bad id"}})
    if scenario == "schema_change" and i == 3:
        user_schema["properties"]["email"] = {"type": "string"}
        user_schema["properties"]["id"] = {"type": ["integer", "null"]}
        emit({"type": "SCHEMA", "stream": "users", "schema": user_schema, "key_properties": ["id"]})
    if i % 2 == 0:
        emit({"type": "STATE", "value": {"bookmarks": {"users": {"max_id": i},
                                                        "orders": {"max_id": i * 10}}}})
    if scenario == "crash" and i == 3:
        print("boom: upstream API returned garbage", file=sys.stderr, flush=True)
        sys.exit(2)
    if scenario == "hang":
        time.sleep(600)

emit({"type": "STATE", "value": {"bookmarks": {"users": {"max_id": max(total, last_user)},
                                                "orders": {"max_id": max(total * 10, last_order)}}}})
