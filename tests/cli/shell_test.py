"""The interactive SQL shell, driven through a real pseudo-terminal.

Checks line editing is live (a prompt on a TTY), multi-line statements,
dot commands, errors that do not end the session, and history on disk.
"""
import os
import re
import pty
import select
import sys
import tempfile
import time

STRATA = sys.argv[1]


def read_until(fd, needle, timeout=20.0):
    buf = b""
    deadline = time.time() + timeout
    while needle.encode() not in buf:
        left = deadline - time.time()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; got:\n{buf.decode(errors='replace')}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    if needle.encode() not in buf:
        raise AssertionError(f"{needle!r} never came; got:\n{buf.decode(errors='replace')}")
    return buf.decode(errors="replace")


def main():
    project = tempfile.mkdtemp()
    os.system(f"'{STRATA}' init '{project}/p' > /dev/null")
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(f"{project}/p")
        os.environ["TERM"] = "dumb"
        os.execv(STRATA, [STRATA, "sql"])
    read_until(fd, "strata> ")
    os.write(fd, b"select 40 +\n")
    read_until(fd, "...> ")
    os.write(fd, b"2 as answer;\n")
    out = read_until(fd, "1 row")
    assert "42" in out, out
    os.write(fd, b"selec oops;\n")
    out = read_until(fd, "error:")
    os.write(fd, b".format csv\n")
    os.write(fd, b"select 'still alive' as s;\n")
    out = read_until(fd, "still alive")
    os.write(fd, b".quit\n")
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    history = os.path.join(project, "p", ".strata", "history")
    assert os.path.exists(history), "no history file"
    with open(history, errors="replace") as f:
        text = f.read()
    # libedit stores history with octal escapes (a space is \\040).
    text = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)
    assert "select 'still alive' as s;" in text, text
    print("shell_test: 6 checks passed")


if __name__ == "__main__":
    main()
