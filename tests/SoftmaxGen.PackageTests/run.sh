#!/usr/bin/env bash
# The package test: SoftmaxGen tried as a new user would. Packs the library to a local folder, then restores, builds
# (zero warnings) and runs a fresh consumer project (Consumer/, copied out of the repository) against that folder
# with a clean packages folder, so no stale copy can be used; then publishes the same consumer with Native AOT and
# runs the native binary; applies the SMG101/SMG102 code fixes with `dotnet format` to a second project; and runs the
# demo and the ONNX sample with the README's commands. Prints PASS/FAIL per check
# and ends with a line in `dotnet test`'s format ("Passed!  - Failed: F, Passed: P, ...") that .ci/run adds to its
# totals.
# Exit code 0 only if every check passed. Needs the .NET 10 SDK, the NuGet source, and for Native AOT clang and
# zlib1g-dev (installed with apt-get when missing).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed=$work/feed
app=$work/Consumer
export NUGET_PACKAGES=$work/packages
start=$SECONDS
passed=0
failed=0
skipped=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
# step NAME LOG COMMAND...: runs the command with its output in LOG; PASS if it exits 0, else FAIL and the log's tail.
step() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1
  local code=$?
  if [ "$code" -eq 0 ]; then pass "$name"; return 0; fi
  fail "$name (exit code $code; last lines of $(basename "$log"):)"
  tail -n 30 "$log" | sed 's/^/    /'
  return 1
}
finish() {
  local total=$((passed + failed)) verdict="Passed!"
  [ "$failed" -ne 0 ] && verdict="Failed!"
  total=$((total + skipped))
  echo "package test: $passed passed, $failed failed, $skipped skipped in $((SECONDS - start)) s"
  echo "$verdict  - Failed: $failed, Passed: $passed, Skipped: $skipped, Total: $total - SoftmaxGen package test (tests/SoftmaxGen.PackageTests/run.sh)"
  [ "$failed" -eq 0 ]
  exit
}

version=$(dotnet msbuild "$root/src/SoftmaxGen/SoftmaxGen.csproj" -getProperty:Version 2>/dev/null | tr -d '[:space:]')
echo "=== package SoftmaxGen $version"

# 1. Pack.
if ! step "dotnet pack produces SoftmaxGen.$version.nupkg" "$work/pack.log" \
    dotnet pack "$root/src/SoftmaxGen/SoftmaxGen.csproj" -c Release -o "$feed" -p:ContinuousIntegrationBuild=true; then
  finish
fi
if grep -qE ': warning [A-Z]+[0-9]+' "$work/pack.log"; then
  fail "dotnet pack printed no warning:"
  grep -E ': warning [A-Z]+[0-9]+' "$work/pack.log" | sort -u | sed 's/^/    /'
else
  pass "dotnet pack printed no warning (package validation on)"
fi
nupkg=$feed/SoftmaxGen.$version.nupkg
[ -f "$nupkg" ] || { fail "the package file $nupkg exists"; finish; }
contents=$(unzip -Z1 "$nupkg")
for entry in lib/net10.0/SoftmaxGen.dll lib/net10.0/SoftmaxGen.xml analyzers/dotnet/cs/SoftmaxGen.Generator.dll \
    analyzers/dotnet/cs/SoftmaxGen.CodeFixes.dll README.md icon.png SoftmaxGen.nuspec; do
  if grep -qx "$entry" <<<"$contents"; then pass "the package holds $entry"; else fail "the package holds $entry"; fi
done
nuspec=$(unzip -p "$nupkg" SoftmaxGen.nuspec)
for field in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<icon>icon.png</icon>' '<projectUrl>' \
    '<releaseNotes>' '<tags>' '<description>'; do
  if grep -qF "$field" <<<"$nuspec"; then pass "the nuspec has $field"; else fail "the nuspec has $field"; fi
done
if grep -qE '<repository type="git" url="https://[^"]+" commit="[0-9a-f]{40}"' <<<"$nuspec"; then
  pass "the nuspec names the repository and the commit"
else
  fail "the nuspec names the repository and the commit"
fi
# The release notes are CHANGELOG.md's section(s) for this version, not a hand-written list.
first_entry=$(awk '/^## /{n++} n==1 && /^- /{print; exit}' "$root/CHANGELOG.md")
notes=$(sed -e 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g'"; s/&apos;/'/g"'; s/&amp;/\&/g' <<<"$nuspec")
if [ -n "$first_entry" ] && grep -qF -- "${first_entry:0:60}" <<<"$notes"; then pass "the release notes come from CHANGELOG.md"; else fail "the release notes come from CHANGELOG.md"; fi
# The package page resolves no relative link or image in the package readme.
relative=$(unzip -p "$nupkg" README.md | grep -oE '\]\([^)]*\)' | grep -vE '^\]\((https://|#)' || true)
if [ -z "$relative" ]; then pass "the package readme has only absolute links"; else fail "the package readme has only absolute links: $relative"; fi
snupkg=$feed/SoftmaxGen.$version.snupkg
# The listing is read whole first: under pipefail, grep -q closing the pipe early would fail unzip with SIGPIPE.
symbols=$( [ -f "$snupkg" ] && unzip -Z1 "$snupkg" || true )
if grep -qx lib/net10.0/SoftmaxGen.pdb <<<"$symbols"; then
  pass "the symbol package holds lib/net10.0/SoftmaxGen.pdb"
else
  fail "the symbol package $snupkg holds lib/net10.0/SoftmaxGen.pdb"
fi
# One dependency, System.Numerics.Tensors (for SoftmaxTensor), at the lowest version with Tensor<T> not experimental.
dependencies=$(grep -oE '<dependency [^>]*>' <<<"$nuspec" | grep -oE 'id="[^"]*" version="[^"]*"' | sort -u | tr '\n' ' ')
if [ "$dependencies" = 'id="System.Numerics.Tensors" version="10.0.0" ' ]; then
  pass "the package depends only on System.Numerics.Tensors 10.0.0"
else
  fail "the package depends only on System.Numerics.Tensors 10.0.0: ${dependencies:-none}"
fi

# 2. A fresh consumer: nuget.config with the local folder first, then the sources this machine uses.
cp -r "$here/Consumer" "$app"
rm -rf "$app/bin" "$app/obj"
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"softmaxgen-local\" value=\"$feed\" />"
  i=0
  (cd "$root" && dotnet nuget list source --format short) | awk '$1 ~ /^E/ { print $2 }' | while read -r url; do
    i=$((i + 1))
    echo "    <add key=\"source$i\" value=\"$url\" />"
  done
  echo '  </packageSources>'
  echo '</configuration>'
} >"$app/nuget.config"

step "restore the consumer from the local folder into a clean packages folder" "$work/restore.log" \
  dotnet restore "$app/Consumer.csproj" -p:SoftmaxGenVersion="$version"
if [ -f "$NUGET_PACKAGES/softmaxgen/$version/softmaxgen.$version.nupkg" ] &&
    cmp -s "$NUGET_PACKAGES/softmaxgen/$version/softmaxgen.$version.nupkg" "$nupkg"; then
  pass "the restored SoftmaxGen is the package just packed"
else
  fail "the restored SoftmaxGen is the package just packed"
fi

if step "build the consumer with zero warnings (-warnaserror)" "$work/build.log" \
    dotnet build "$app/Consumer.csproj" -c Release --no-restore -warnaserror -p:SoftmaxGenVersion="$version"; then
  if grep -qE '[1-9][0-9]* Warning\(s\)' "$work/build.log"; then fail "the consumer build printed warnings"; fi
  if dotnet "$app/bin/Release/net10.0/Consumer.dll" >"$work/run.log" 2>&1 && grep -q '^consumer: [1-9][0-9]* passed, 0 failed$' "$work/run.log"; then
    pass "run the consumer: $(tail -n 1 "$work/run.log")"
  else
    fail "run the consumer:"
    sed 's/^/    /' "$work/run.log"
  fi
fi

# 2b. The code fixes as `dotnet format` applies them (Fix All in a project): SMG101 declares a kernel for the constant
# class count and calls it; SMG102 rewrites TensorPrimitives.SoftMax. The fixed project must build without a warning
# and print the softmax of a row of 20 zeros.
fmt=$work/FormatApp
mkdir -p "$fmt"
cp "$here/Consumer/Consumer.csproj" "$fmt/FormatApp.csproj"
cp "$app/nuget.config" "$fmt/nuget.config"
cat >"$fmt/Program.cs" <<'CODE'
using System.Numerics.Tensors;
using SoftmaxGen;

float[] logits = new float[20], probabilities = new float[20];
SoftmaxPrimitives.Softmax(logits, probabilities, 10);
TensorPrimitives.SoftMax(logits, probabilities);
Console.WriteLine(probabilities[19]);
CODE
if step "restore a project with SMG101 and SMG102 hints" "$work/format-restore.log" \
    dotnet restore "$fmt/FormatApp.csproj" -p:SoftmaxGenVersion="$version" &&
  step "dotnet format --diagnostics SMG101 SMG102 applies the fixes" "$work/format.log" \
    dotnet format analyzers "$fmt/FormatApp.csproj" --diagnostics SMG101 SMG102 --severity info --no-restore; then
  if grep -qF '[SoftmaxKernel(10)]' "$fmt/Program.cs" && grep -qF 'SoftmaxPrimitives.Softmax(logits, probabilities, logits.Length);' "$fmt/Program.cs" &&
      ! grep -qF 'TensorPrimitives.SoftMax' "$fmt/Program.cs" && ! grep -qF 'SoftmaxPrimitives.Softmax(logits, probabilities, 10)' "$fmt/Program.cs"; then
    pass "the fixed file declares the kernel and calls it, and no longer calls TensorPrimitives.SoftMax"
  else
    fail "the fixed file declares the kernel and calls it, and no longer calls TensorPrimitives.SoftMax:"
    sed 's/^/    /' "$fmt/Program.cs"
  fi
  if step "the fixed project builds with zero warnings (-warnaserror)" "$work/format-build.log" \
      dotnet build "$fmt/FormatApp.csproj" -c Release --no-restore -warnaserror -p:SoftmaxGenVersion="$version" &&
      [ "$(dotnet "$fmt/bin/Release/net10.0/FormatApp.dll")" = "0.05" ]; then
    pass "the fixed project prints 0.05, the softmax of 20 zeros"
  else
    fail "the fixed project prints 0.05, the softmax of 20 zeros"
  fi
fi

# 3. Published as a user ships it: Native AOT, and trimmed self-contained; trim and AOT warnings are errors.
# run_published NAME DIR: runs DIR/Consumer (a native executable) and requires the JIT run's output exactly.
run_published() {
  local name=$1 dir=$2
  if [ -x "$dir/Consumer" ] && [ "$(head -c 4 "$dir/Consumer" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    pass "$name: an ELF executable ($(du -k "$dir/Consumer" | cut -f1) KB)"
  else
    fail "$name: an ELF executable"
    return
  fi
  if "$dir/Consumer" >"$dir.run.log" 2>&1 && grep -q '^consumer: [1-9][0-9]* passed, 0 failed$' "$dir.run.log" &&
      cmp -s "$work/run.log" "$dir.run.log"; then
    pass "$name: runs, $(tail -n 1 "$dir.run.log"), the same output as on the JIT"
  else
    fail "$name: runs with the JIT run's output (diff below):"
    diff "$work/run.log" "$dir.run.log" | sed 's/^/    /'
  fi
}

# .NET 10's Native AOT needs the runtime pack Microsoft.NETCore.App.Runtime.NativeAOT.<rid> next to the ILCompiler
# package. A source without it (as this project's NuGet source is, so far) cannot publish with AOT at all: that is
# reported as SKIP, not as a pass.
if ! command -v clang >/dev/null 2>&1 || ! dpkg -s zlib1g-dev >/dev/null 2>&1; then
  echo "installing the Native AOT toolchain (clang, zlib1g-dev) with apt-get"
  { apt-get install -y clang zlib1g-dev || { apt-get update && apt-get install -y clang zlib1g-dev; }; } >"$work/apt.log" 2>&1 ||
    { echo "    apt-get failed:"; tail -n 10 "$work/apt.log" | sed 's/^/    /'; }
fi
dotnet restore "$app/Consumer.csproj" -r linux-x64 -p:PublishAot=true -p:SoftmaxGenVersion="$version" >"$work/aot-restore.log" 2>&1
if grep -q 'NU1101.*Microsoft\.NETCore\.App\.Runtime\.NativeAOT' "$work/aot-restore.log"; then
  skipped=$((skipped + 1))
  echo "SKIP Native AOT publish: the NuGet source has no Microsoft.NETCore.App.Runtime.NativeAOT.linux-x64, which .NET 10's ILCompiler needs"
elif step "publish the consumer with Native AOT, no trim or AOT warning (-warnaserror)" "$work/publish-aot.log" \
    dotnet publish "$app/Consumer.csproj" -c Release -r linux-x64 -warnaserror -p:PublishAot=true -p:SoftmaxGenVersion="$version" -o "$work/aot"; then
  if grep -qE 'warning (IL|AOT)[0-9]+' "$work/publish-aot.log"; then fail "the AOT publish printed no trim or AOT warning"; fi
  run_published "the Native AOT consumer" "$work/aot"
fi

if step "publish the consumer trimmed and self-contained, no trim warning (-warnaserror)" "$work/publish-trimmed.log" \
    dotnet publish "$app/Consumer.csproj" -c Release -r linux-x64 --self-contained -warnaserror -p:PublishTrimmed=true \
      -p:TrimMode=full -p:SoftmaxGenVersion="$version" -o "$work/trimmed"; then
  if grep -qE 'warning IL[0-9]+' "$work/publish-trimmed.log"; then fail "the trimmed publish printed no trim warning"; fi
  run_published "the trimmed consumer" "$work/trimmed"
fi

# 4. The samples, with the README's commands (from the repository, against the projects).
unset NUGET_PACKAGES
if (cd "$root" && dotnet run -c Release --project samples/SoftmaxGen.Demo) >"$work/demo.log" 2>&1; then
  pass "the demo runs with the README's command"
else
  fail "the demo runs with the README's command:"
  tail -n 20 "$work/demo.log" | sed 's/^/    /'
fi
# The ONNX Runtime sample: the native onnxruntime library loads and the model's evaluation is printed.
if (cd "$root" && dotnet run -c Release --project samples/SoftmaxGen.OnnxSample) >"$work/onnx-sample.log" 2>&1 &&
    grep -q '^mean cross-entropy .* accuracy ' "$work/onnx-sample.log"; then
  pass "the ONNX sample runs with the README's command: $(tail -n 1 "$work/onnx-sample.log")"
else
  fail "the ONNX sample runs with the README's command:"
  tail -n 20 "$work/onnx-sample.log" | sed 's/^/    /'
fi

finish
