"""serve.py: what the test stand-ins (fault_server, federation_server,
sts_fast) share. serve() publishes the port a server bound on 127.0.0.1
and serves until its parent (the test) is gone, so no stand-in outlives
the test that started it."""

import os
import threading
import time


def _watch_parent(pid, server):
    while True:
        time.sleep(0.5)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            server.shutdown()
            return
        except PermissionError:
            pass


def serve(server, port_file, parent_pid=None):
    """Write the port to port_file atomically, watch parent_pid (when
    given) and serve forever."""
    tmp = port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, port_file)
    if parent_pid:
        threading.Thread(target=_watch_parent, args=(parent_pid, server),
                         daemon=True).start()
    server.serve_forever()
