#!/usr/bin/env bash
# Layering check (ARCHITECTURE.md, ADR 0003): every file under src/<layer>/ may
# include only public headers of the layers it is allowed to use.  A public
# header belongs to a layer by its name (table below); an unknown header fails
# the check so the table stays complete.  Prints "layering: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."

layer_of() {  # header basename -> layer
  case "$1" in
    buf.h|clock.h|error.h|log.h|rng.h) echo base ;;
    hex.h|cbor.h|toml.h) echo codec ;;
    crypto.h|hpke.h) echo crypto ;;
    model_*.h|chunked.h) echo model ;;
    raptorq.h) echo raptorq ;;
    fcps.h|fcps_aead.h|fcpc.h|datagram.h|replay.h|session.h|symreq.h) echo wire ;;
    authz_*.h) echo authz ;;
    store.h) echo store ;;
    mesh.h) echo mesh ;;
    net.h|net_quic.h|net_http.h|net_tailscale.h) echo net ;;
    admin.h|config.h) echo node ;;
    host_*.h|connector*.h|egress*.h|manifest*.h|sandbox*.h) echo host ;;
    *) echo unknown ;;
  esac
}

allowed() {  # layer -> layers it may include (itself included)
  case "$1" in
    base)    echo "base" ;;
    codec)   echo "base codec" ;;
    crypto)  echo "base crypto" ;;
    raptorq) echo "base raptorq" ;;
    model)   echo "base codec crypto raptorq model" ;;
    wire)    echo "base codec crypto model wire" ;;
    authz)   echo "base codec crypto model wire authz" ;;
    store)   echo "base codec crypto model raptorq store" ;;
    mesh)    echo "base codec crypto model raptorq wire authz store mesh" ;;
    node)    echo "base codec crypto model raptorq wire authz store mesh node" ;;
    net)     echo "base codec crypto model raptorq wire authz store mesh node net" ;;
    host)    echo "base codec crypto model raptorq wire authz store mesh node net host" ;;
    connector) echo "base codec crypto model host" ;;
    *)       echo "" ;;
  esac
}

pass=0; fail=0
for f in src/*/*.c src/*/*.h; do
  [ -f "$f" ] || continue
  layer=$(basename "$(dirname "$f")")
  ok_layers=" $(allowed "$layer") "
  while read -r hdr; do
    [ -n "$hdr" ] || continue
    hl=$(layer_of "$hdr")
    if [ "$hl" = unknown ]; then
      echo "layering: $f includes fcp/$hdr, which is not in the layer table of tests/e2e/layering.sh"
      fail=$((fail + 1))
    elif [[ "$ok_layers" != *" $hl "* ]]; then
      echo "layering: $f ($layer/) includes fcp/$hdr from $hl/, which $layer/ may not use"
      fail=$((fail + 1))
    else
      pass=$((pass + 1))
    fi
  done < <(grep -hoE '#include +"fcp/[a-z0-9_]+\.h"' "$f" | sed -E 's/.*"fcp\/([a-z0-9_]+\.h)"/\1/')
done
echo "layering: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
