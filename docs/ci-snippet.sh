# --- supervise serve: tools the serve tests run for real (merge into .ci/run, before the tests) ---
# test/serve/*.test.ts start socat, python3 (the seed article's client), setpriv (a client as another user)
# and a real nginx with its stream module; they fail, not skip, when one is missing.
serve_packages=()
command -v socat >/dev/null 2>&1 || serve_packages+=(socat)
command -v python3 >/dev/null 2>&1 || serve_packages+=(python3)
command -v setpriv >/dev/null 2>&1 || serve_packages+=(util-linux)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || serve_packages+=(nginx)
# Debian builds nginx's stream module as a dynamic module, in its own package
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || serve_packages+=(libnginx-mod-stream)
if [ "${#serve_packages[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${serve_packages[@]}"
fi
# the package may start nginx on :80 where services are allowed to start; the tests use their own nginx
# (own prefix, config and loopback port), so a system one is not needed
# --- end supervise serve ---
