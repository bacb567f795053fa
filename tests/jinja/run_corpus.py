#!/usr/bin/env python3
"""Differential test of Strata's Jinja engine against python3-jinja2.

usage: run_corpus.py JINJA_RENDER CORPUS_DIR

Renders every CORPUS_DIR/*.jinja with jinja2 configured as dbt configures it
(extensions do + loopcontrols, the default Undefined, no autoescape,
keep_trailing_newline off; `return` and `modules` as dbt provides them) and
with Strata's engine (the JINJA_RENDER binary), and compares the bytes. A
template where jinja2 raises must fail in Strata too. Companions: x.json is
the context, x.macros a template whose macros become globals (dbt's macro
files). Prints "N passed, N failed" and a diff for each failure.
"""
import datetime
import difflib
import json
import os
import re
import subprocess
import sys

import jinja2
from jinja2.runtime import Macro


class MacroReturn(Exception):
    """dbt's return(): leaves the macro with a value."""

    def __init__(self, value):
        super().__init__()
        self.value = value


def _return(value=None):
    raise MacroReturn(value)


_original_invoke = Macro._invoke


def _invoke(self, arguments, autoescape):
    try:
        return _original_invoke(self, arguments, autoescape)
    except MacroReturn as e:
        return e.value


Macro._invoke = _invoke


def make_env():
    env = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    env.globals["return"] = _return
    env.globals["modules"] = {"datetime": datetime, "re": re}
    return env


def render_python(path):
    env = make_env()
    base = path[: -len(".jinja")]
    context = {}
    if os.path.exists(base + ".json"):
        with open(base + ".json", encoding="utf-8") as f:
            context = json.load(f)
    try:
        if os.path.exists(base + ".macros"):
            with open(base + ".macros", encoding="utf-8") as f:
                module = env.from_string(f.read()).make_module(vars=context)
            for name in dir(module):
                value = getattr(module, name)
                if isinstance(value, Macro):
                    env.globals[name] = value
        with open(path, encoding="utf-8") as f:
            source = f.read()
        return True, env.from_string(source).render(**context)
    except Exception as e:  # any jinja2 error: Strata must fail too
        return False, "%s: %s" % (type(e).__name__, e)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, corpus = sys.argv[1], sys.argv[2]
    proc = subprocess.run([binary, corpus], capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        print("jinja_render failed:", proc.stderr)
        return 1
    ours = {}
    for line in proc.stdout.splitlines():
        item = json.loads(line)
        ours[item["name"]] = item
    names = sorted(n for n in os.listdir(corpus) if n.endswith(".jinja"))
    passed, failed = 0, []
    for name in names:
        ok, expected = render_python(os.path.join(corpus, name))
        got = ours.get(name)
        if got is None:
            failed.append((name, "not rendered by jinja_render"))
            continue
        if not ok:
            if got["ok"]:
                failed.append((name, "jinja2 raised %s\nStrata rendered:\n%r" % (expected, got["output"])))
            else:
                passed += 1
            continue
        if not got["ok"]:
            failed.append((name, "Strata failed: %s\njinja2 rendered:\n%r" % (got["error"], expected)))
            continue
        if got["output"] == expected:
            passed += 1
            continue
        diff = difflib.unified_diff(
            [repr(l) for l in expected.splitlines(True)],
            [repr(l) for l in got["output"].splitlines(True)],
            "jinja2", "strata", lineterm="")
        failed.append((name, "\n".join(diff)))
    for name, why in failed:
        print("FAIL %s\n%s\n" % (name, why))
    print("%d passed, %d failed" % (passed, len(failed)))
    return 0 if not failed and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
