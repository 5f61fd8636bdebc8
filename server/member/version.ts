// The version document served on /version of both ports. etcd 3.4 clients (etcdctl, client
// libraries) negotiate on it, so etcbun reports the etcd release whose v2 API it speaks.
export const ETCD_SERVER_VERSION = "3.4.23";
export const ETCD_CLUSTER_VERSION = "3.4.0";
export const VERSION_DOCUMENT = { etcdserver: ETCD_SERVER_VERSION, etcdcluster: ETCD_CLUSTER_VERSION } as const;
