/*
 * config.h - the fcpd configuration model, read from fcpd.toml
 * (docs/config.md, docs/fcpd.toml.example).
 *
 * One fixed-size struct (no allocation) holds everything fcpd needs before
 * it opens a socket or the store: listen addresses, data directory, zones
 * served, static peers, limits (peers, per-peer memory, quarantine caps,
 * store and zone quotas), admission budgets (spec §8.4 PeerBudget) and the
 * metrics address.  fcp_config_defaults fills the documented defaults;
 * fcp_config_parse overlays a TOML document on them and validates the
 * result as a whole.  Every problem is reported with the file, line and key
 * path ("fcpd.toml:12: key 'limits.max_peers' must be an integer, got a
 * string") and its own error code: unknown keys and wrong types
 * (FCP_ETOML_*), bad addresses, paths, zones, peers, inconsistent limits
 * (FCP_ECONFIG_*).
 *
 * Sizes may be written as integers (bytes) or as strings with a binary
 * unit: "64 MiB", "512KiB", "10 GiB", "100 B" (D-TOML-2).
 */
#ifndef FCP_CONFIG_H
#define FCP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "fcp/model_ids.h"
#include "fcp/toml.h"

#define FCP_CONFIG_MAX_LISTEN      16
#define FCP_CONFIG_MAX_ZONES       64
#define FCP_CONFIG_MAX_PEERS       64     /* static peers in the file */
#define FCP_CONFIG_MAX_PEER_ZONES  16
#define FCP_CONFIG_HOST_MAX        253    /* DNS name or address text */
#define FCP_CONFIG_ADDR_MAX        (FCP_CONFIG_HOST_MAX + 8)
#define FCP_CONFIG_PATH_MAX        4095
#define FCP_CONFIG_FILE_MAX        (1u << 20)
#define FCP_CONFIG_MAX_CONNECTORS  16
#define FCP_CONFIG_MAX_CREDENTIALS 16
#define FCP_CONFIG_CONN_ID_MAX     64     /* = FCP_MANIFEST_MAX_ID */
#define FCP_CONFIG_CRED_ID_MAX     128
#define FCP_CONFIG_CRED_HOSTS      8

/* "host:port": host is an IPv4 address, a bracketed IPv6 address, or a DNS
 * name; port 1..65535. */
typedef struct fcp_config_addr {
    char     host[FCP_CONFIG_HOST_MAX + 1];   /* without brackets */
    uint16_t port;
    int      is_ipv6;
} fcp_config_addr;

typedef struct fcp_config_peer {
    char            id[FCP_NODE_ID_MAX + 1];
    fcp_config_addr addr;
    size_t          n_zones;                  /* 0: every zone both serve */
    char            zones[FCP_CONFIG_MAX_PEER_ZONES][FCP_ZONE_ID_MAX + 1];
} fcp_config_peer;

/* [quic.dial]: a static peer reached over QUIC at this address. */
typedef struct fcp_config_quic_dial {
    char            id[FCP_NODE_ID_MAX + 1];  /* a [[peers]] id */
    fcp_config_addr addr;
} fcp_config_quic_dial;

typedef struct fcp_config_zone_quota {
    char     zone[FCP_ZONE_ID_MAX + 1];
    uint64_t max_bytes;
} fcp_config_zone_quota;

/* [[connector]]: a connector fcpd runs (docs/connectors.md "Running
 * connectors in fcpd").  Paths are absolute or relative to the directory
 * fcpd was started in. */
typedef struct fcp_config_connector {
    char     id[FCP_CONFIG_CONN_ID_MAX + 1];        /* must equal the manifest's connector.id */
    char     manifest[FCP_CONFIG_PATH_MAX + 1];     /* manifest.toml */
    char     binary[FCP_CONFIG_PATH_MAX + 1];       /* the ELF binary */
    uint8_t  signature[64];                         /* publisher signature (128 hex digits) */
    int      has_publisher_key;
    uint8_t  publisher_key[32];                     /* trusted key: must equal the manifest's */
    char     zone[FCP_ZONE_ID_MAX + 1];             /* default z:private; must be served */
    char     state_dir[FCP_CONFIG_PATH_MAX + 1];    /* "" = <data_dir>/connectors/<id>/state */
    char     restart[16];                           /* "on-failure" (default), "always", "never" */
    uint32_t restart_initial_ms;                    /* default 500 */
    uint32_t restart_max_ms;                        /* default 30000 */
    uint32_t restart_stable_ms;                     /* default 60000 */
    uint32_t max_restarts;                          /* default 0 = unlimited */
    uint32_t health_interval_ms;                    /* default 5000 */
} fcp_config_connector;

/* [[credential]]: a secret the egress proxy injects for connectors
 * (host_egress.h).  The secret itself lives in secret_file (mode 0600, never
 * in fcpd.toml) and is read only when a request needs it. */
typedef struct fcp_config_credential {
    char     id[FCP_CONFIG_CRED_ID_MAX + 1];        /* "cred:..." */
    char     secret_file[FCP_CONFIG_PATH_MAX + 1];
    int      apply_query;                           /* 0: HTTP header (default), 1: query parameter */
    char     name[FCP_CONFIG_CRED_ID_MAX + 1];      /* header or parameter name */
    char     prefix[64];                            /* e.g. "Bearer " ("" = raw secret) */
    size_t   n_host_allow;
    char     host_allow[FCP_CONFIG_CRED_HOSTS][FCP_CONFIG_HOST_MAX + 1];
} fcp_config_credential;

typedef struct fcp_config {
    /* [node] */
    char            node_id[FCP_NODE_ID_MAX + 1];   /* "" = not set (taken from the node key) */
    char            data_dir[FCP_CONFIG_PATH_MAX + 1];
    /* [listen] */
    size_t          n_listen;
    fcp_config_addr listen[FCP_CONFIG_MAX_LISTEN];
    /* [metrics] */
    int             metrics_enabled;
    fcp_config_addr metrics;
    /* [zones] */
    size_t          n_zones;
    char            zones[FCP_CONFIG_MAX_ZONES][FCP_ZONE_ID_MAX + 1];
    /* [[peers]] */
    size_t          n_peers;
    fcp_config_peer peers[FCP_CONFIG_MAX_PEERS];
    /* [limits] */
    uint32_t        max_peers;
    uint64_t        peer_memory_bytes;
    uint64_t        quarantine_bytes;
    uint64_t        quarantine_bytes_per_peer;
    uint32_t        quarantine_objects_per_peer;
    uint64_t        store_quota_bytes;              /* 0 = no store-wide quota */
    size_t          n_zone_quotas;
    fcp_config_zone_quota zone_quotas[FCP_CONFIG_MAX_ZONES];
    /* [admission] (spec §8.4 PeerBudget / AdmissionPolicy) */
    uint64_t        max_bytes_per_min;
    uint32_t        max_symbols_per_min;
    uint32_t        max_failed_auth_per_min;
    uint32_t        max_inflight_decodes;
    uint64_t        max_decode_cpu_ms_per_min;
    int             require_authenticated_requests;
    /* [[connector]] and [[credential]] (connector runtime) */
    size_t          n_connectors;
    fcp_config_connector connectors[FCP_CONFIG_MAX_CONNECTORS];
    size_t          n_credentials;
    fcp_config_credential credentials[FCP_CONFIG_MAX_CREDENTIALS];
    /* [quic] (docs/quic.md): the QUIC carrier, off unless quic.listen is set */
    int             quic_enabled;
    fcp_config_addr quic_listen;
    int             quic_datagrams;         /* carry the mesh's datagrams; default true */
    uint64_t        quic_idle_timeout_ms;   /* default 30000 */
    uint64_t        quic_keepalive_ms;      /* default 10000; 0 = none */
    uint32_t        quic_max_udp_payload;   /* 1200-1452, default 1452 (path-MTU probing) */
    size_t          n_quic_dial;
    fcp_config_quic_dial quic_dial[FCP_CONFIG_MAX_PEERS];
    /* [tailscale] (docs/fcpd.md, D-TS-*): peer discovery hints from tailscaled's
     * LocalAPI; never authority (the FCP handshake decides) */
    int             tailscale_enabled;                     /* default false */
    char            tailscale_socket[FCP_CONFIG_PATH_MAX + 1]; /* default /var/run/tailscale/tailscaled.sock */
    uint32_t        tailscale_poll_secs;                   /* 5..86400, default 60 */
    uint16_t        tailscale_port;                        /* FCP port of discovered peers; 0 = ours */
} fcp_config;

/* The documented defaults (docs/config.md).  data_dir is set to
 * default_data_dir (NULL: left empty, and fcp_config_parse then requires
 * node.data_dir). */
void fcp_config_defaults(fcp_config *cfg, const char *default_data_dir);

/* Default data directory: $FCP_DATA if set and non-empty, else
 * "$HOME/.local/share/fcp".  The caller passes the environment values (so
 * this stays pure).  FCP_ECONFIG_PATH if neither gives an absolute path;
 * FCP_EBUFFER_TOO_SMALL if out is too small. */
int fcp_config_default_data_dir(char *out, size_t outlen, const char *fcp_data, const char *home);

/* Overlay the TOML text on cfg (which holds defaults) and validate.  name
 * is used in messages ("fcpd.toml").  0, or an error with err filled; on
 * error cfg is left in an unspecified state. */
int fcp_config_parse(fcp_config *cfg, const char *name, const char *text, size_t len, fcp_toml_error *err);

/* Read the file at path (at most FCP_CONFIG_FILE_MAX bytes) and parse it
 * as above; FCP_ECONFIG_READ if it cannot be read. */
int fcp_config_load(fcp_config *cfg, const char *path, fcp_toml_error *err);

/* Parse "host:port" (rules above).  FCP_ECONFIG_ADDRESS with a reason in
 * *why (static text) on failure. */
int fcp_config_parse_addr(fcp_config_addr *a, const char *text, size_t len, const char **why);

/* Format an address back to "host:port" / "[v6]:port". */
int fcp_config_format_addr(const fcp_config_addr *a, char *out, size_t outlen);

/* Parse a size: digits with an optional unit B, KiB, MiB, GiB, TiB
 * (optionally one space between).  FCP_ECONFIG_VALUE on anything else or
 * on overflow. */
int fcp_config_parse_size(const char *text, size_t len, uint64_t *out);

#endif
