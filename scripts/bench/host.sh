# Sourced by the benchmark scripts: prints the machine the figures that
# follow come from. The project's figures have come from Zen 3, Zen 4 and
# Zen 5 hosts that all call themselves "AMD EPYC", and one host's figures
# move by a sixth between a morning and an afternoon (docs/performance.md),
# so a figure is only comparable beside its host and its time: the
# processor's name, its family and model numbers (which tell the
# generations apart), the CPUs this process may use, and the date.
bench_host() {
  local name="unknown processor" family="?" model="?"
  if [ -r /proc/cpuinfo ]; then
    name=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    family=$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -1)
    model=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1)
  fi
  echo "host: ${name:-unknown processor} (family ${family:-?}, model ${model:-?}), $(nproc) CPUs usable, $(date -u '+%Y-%m-%d %H:%M UTC')"
}
bench_host
