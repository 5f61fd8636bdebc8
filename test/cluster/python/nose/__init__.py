# python-etcd's integration suite imports one decorator from nose, which Debian no longer ships
# for Python 3.11+ everywhere; this package provides just that, and is put on PYTHONPATH only
# when the real nose cannot be imported.
