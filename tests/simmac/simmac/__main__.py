"""python3 -m simmac --machine mac [--torch-version 2.4] [--record out.json] script.py [args...]

Runs script.py as `python script.py` would (runpy, __name__ == "__main__"), on
the simulated machine. With --record, the recorder is written to the file when
the script ends, also when it raises (the exception is in "exit").
"""

import argparse
import os
import runpy
import sys
import traceback


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m simmac", description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default="mac", choices=("mac", "cpu", "cuda"))
    parser.add_argument("--torch-version", default=None, help="torch release whose Mac to model (default: installed)")
    parser.add_argument("--record", metavar="FILE", help="write the recorder as JSON here when the script ends")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args(argv)

    import simmac

    rec = simmac.install(machine=opts.machine, torch_version=opts.torch_version)
    sys.argv = [opts.script] + opts.args
    sys.path.insert(0, os.path.dirname(os.path.abspath(opts.script)))
    status = 0
    try:
        runpy.run_path(opts.script, run_name="__main__")
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except BaseException as exc:
        rec.exit = {"exception": "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else ""),
                    "traceback": traceback.format_exc().splitlines()[-12:]}
        traceback.print_exc()
        status = 1
    finally:
        if opts.record:
            if rec.exit is None:
                rec.exit = {"status": status}
            rec.dump(opts.record)
    return status


if __name__ == "__main__":
    sys.exit(main())
