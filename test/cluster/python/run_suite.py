"""Run python-etcd's own integration suite (etcd.tests.integration.test_simple, unchanged) and
write one JSON summary to the path given as the first argument, so the bun test can assert on
each test by name while the servers' output goes elsewhere.

The suite finds its server as the first `etcd` on PATH; the caller puts the binary under test
there."""
import json
import sys
import unittest


def test_ids(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from test_ids(item)
        else:
            yield item.id()


def main():
    out_path = sys.argv[1]
    module = sys.argv[2] if len(sys.argv) > 2 else "etcd.tests.integration.test_simple"
    suite = unittest.defaultTestLoader.loadTestsFromName(module)
    ids = list(test_ids(suite))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = {t.id(): text for t, text in result.failures}
    errored = {t.id(): text for t, text in result.errors}
    skipped = {t.id(): reason for t, reason in result.skipped}
    # A failed setUpClass is reported once, as "setUpClass (module.Class)", and its tests never run.
    broken = [e[e.find("(") + 1 : -1] + "." for e in errored if e not in ids and "(" in e]
    summary = {
        "ran": result.testsRun,
        "passed": [
            i for i in ids
            if i not in failed and i not in errored and i not in skipped and not any(i.startswith(b) for b in broken)
        ],
        "failed": failed,
        "errors": errored,
        "skipped": skipped,
    }
    with open(out_path, "w") as f:
        json.dump(summary, f, indent=1)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
