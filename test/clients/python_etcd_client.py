"""Drives python-etcd (the real client library) through reads, writes, directories, TTLs,
test_and_set, watches, members, leader and stats against one server, and prints one JSON
document of what the library returned or raised. Indexes are printed relative to the store
index seen first, so two servers' documents can be compared directly.

Usage: python3 python_etcd_client.py <host> <port>
"""
import json
import sys
import threading
import time

import etcd

host, port = sys.argv[1], int(sys.argv[2])
client = etcd.Client(host=host, port=port, read_timeout=5)
base = client.read("/").etcd_index
results = []


def rel(i):
    return None if i is None else i - base


def node(r):
    out = {
        "key": r.key,
        "value": r.value,
        "dir": r.dir,
        "ttl": r.ttl is not None and r.ttl > 0,
        "expiration": r.expiration is not None,
        "modifiedIndex": rel(r.modifiedIndex),
        "createdIndex": rel(r.createdIndex),
    }
    if getattr(r, "action", None):
        out["action"] = r.action
    return out


def result(r):
    if isinstance(r, etcd.EtcdResult):
        out = node(r)
        out["etcd_index"] = rel(r.etcd_index)
        kids = [node(c) for c in r.leaves] if r.dir else []
        if kids:
            out["leaves"] = sorted(kids, key=lambda n: n["key"])
        return out
    return r


def step(name, fn):
    try:
        results.append([name, "ok", result(fn())])
    except etcd.EtcdWatchTimedOut as e:  # its text names the local port
        results.append([name, type(e).__name__, ""])
    except Exception as e:  # the exception class is part of the client-visible behaviour
        results.append([name, type(e).__name__, str(e)])


step("write", lambda: client.write("/py/a", "1"))
step("read", lambda: client.read("/py/a"))
step("get", lambda: client.get("/py/a"))
step("read missing", lambda: client.read("/py/missing"))
step("write prevExist=False on existing", lambda: client.write("/py/a", "2", prevExist=False))
step("update via write prevExist=True", lambda: client.write("/py/a", "2", prevExist=True))
step("test_and_set ok", lambda: client.test_and_set("/py/a", "3", "2"))
step("test_and_set fails", lambda: client.test_and_set("/py/a", "4", "2"))
step("write prevIndex", lambda: client.write("/py/a", "5", prevIndex=base + 3))
step("write dir", lambda: client.write("/py/dir", None, dir=True))
step("write in dir", lambda: client.write("/py/dir/x", "x"))
step("write nested", lambda: client.write("/py/dir/sub/y", "y"))
step("read dir", lambda: client.read("/py/dir"))
step("read dir recursive", lambda: client.read("/py/dir", recursive=True, sorted=True))
step("write under a key", lambda: client.write("/py/a/b", "x"))
step("delete dir not empty", lambda: client.delete("/py/dir", dir=True))
step("delete dir plain", lambda: client.delete("/py/dir"))
step("delete recursive", lambda: client.delete("/py/dir", recursive=True))
step("write ttl", lambda: client.write("/py/ttl", "t", ttl=100))
step("read ttl", lambda: client.read("/py/ttl"))
step("refresh", lambda: client.refresh("/py/ttl", ttl=50))
step("append in order", lambda: client.write("/py/queue", "job", append=True))
step("read queue", lambda: client.read("/py/queue", sorted=True))
step("watch with index in history", lambda: client.watch("/py/a", index=base + 1))
step("read wait waitIndex", lambda: client.read("/py/a", wait=True, waitIndex=base + 2))
step("watch from index 1", lambda: client.watch("/py/a", index=1))
step("delete key", lambda: client.delete("/py/a"))
step("delete missing", lambda: client.delete("/py/a"))
step("delete root", lambda: client.delete("/", recursive=True))

# A live watch: started first, answered by a write made while it waits.
live = {}


def watcher():
    try:
        live["r"] = result(client.watch("/py/live", timeout=5))
    except Exception as e:
        live["r"] = [type(e).__name__, str(e)]


t = threading.Thread(target=watcher)
t.start()
for _ in range(200):
    if client.store_stats["watchers"] >= 1:
        break
    time.sleep(0.02)
client.write("/py/live", "now")
t.join(6)
results.append(["live watch", "ok", live.get("r")])

step("watch timeout", lambda: client.watch("/py/never", timeout=0.3))

members = client.members
self_id = next(iter(members))
results.append(["members", "ok", [dict(m, id="<id>") for m in members.values()]])
results.append(["leader", "ok", dict(client.leader, id="<id>")])
results.append(["machines", "ok", client.machines])
stats = client.stats
results.append(["stats", "ok", {"keys": sorted(stats.keys()), "state": stats["state"], "self": stats["id"] == self_id}])
leader_stats = client.leader_stats
results.append(["leader_stats", "ok", {"leader": leader_stats["leader"] == self_id, "followers": leader_stats["followers"]}])
results.append(["store_stats", "ok", sorted(client.store_stats.keys())])
results.append(["version", "ok", sorted(json.loads(client.api_execute("/version", client._MGET).data.decode()).keys())])

print(json.dumps({"url": "http://%s:%d" % (host, port), "results": results}, indent=1))
