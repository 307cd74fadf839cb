"""What every plot script here shares: matplotlib from Debian (with a clear
message when this python3 cannot see it), the repository root, and running
faultline for JSON."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_FAULTLINE = os.path.join(ROOT, "build/faultline")


def pyplot(script):
    """matplotlib.pyplot with the Agg backend, or exit saying how to get it."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        sys.exit(f"{script} needs matplotlib: apt-get install python3-matplotlib, and run it with "
                 "/usr/bin/python3 (another python3 may not see Debian's packages)")


def scenario(path):
    return os.path.join(ROOT, path)


def faultline_json(faultline, args, check=True):
    """Runs `faultline ARGS` (a run or sweep with --json) and returns its JSON object."""
    out = subprocess.run([faultline] + args, check=check, capture_output=True, text=True).stdout
    return json.loads(out)


def ensure_parent(path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
