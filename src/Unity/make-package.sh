#!/usr/bin/env bash
# Lays out the Unity package (UPM) from a packed Pymalloc.NET .nupkg, so the bits Unity gets are the
# bits NuGet users get:  src/Unity/make-package.sh <Pymalloc.NET.x.y.z.nupkg> <output-folder>
# Writes <output-folder>/com.pymalloc.net/ (the package folder) and
# <output-folder>/com.pymalloc.net-<version>.tgz (for "Add package from tarball"). Every file and
# folder gets a .meta with a GUID derived from its path, so the package is immutable-folder clean
# and the same on every run.
set -euo pipefail
nupkg=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
version=$(unzip -p "$nupkg" '*.nuspec' | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | head -1)
[ -n "$version" ] || { echo "no version in $nupkg" >&2; exit 1; }
pkg="$out/com.pymalloc.net"
rm -rf "$pkg"; mkdir -p "$pkg/Runtime/Plugins" "$pkg/Runtime/Analyzers"

sed "s/@VERSION@/$version/" "$here/package.json.in" > "$pkg/package.json"
unzip -p "$nupkg" README.md > "$pkg/README.md"
unzip -p "$nupkg" CHANGELOG.md > "$pkg/CHANGELOG.md"
unzip -p "$nupkg" LICENSE > "$pkg/LICENSE.md"
unzip -p "$nupkg" THIRD-PARTY-NOTICES.md > "$pkg/Third Party Notices.md"
cp "$here/Pymalloc.Unity.asmdef" "$here/PackageInfo.cs" "$here/link.xml" "$pkg/Runtime/"
unzip -p "$nupkg" lib/netstandard2.1/Pymalloc.dll > "$pkg/Runtime/Plugins/Pymalloc.dll"
unzip -p "$nupkg" lib/netstandard2.1/Pymalloc.xml > "$pkg/Runtime/Plugins/Pymalloc.xml"
unzip -p "$nupkg" analyzers/dotnet/cs/Pymalloc.Generator.dll > "$pkg/Runtime/Analyzers/Pymalloc.Generator.dll"

guid() { printf 'com.pymalloc.net/%s' "$1" | md5sum | cut -c1-32; }
meta() { # meta RELATIVE-PATH BODY
  printf 'fileFormatVersion: 2\nguid: %s\n%s' "$(guid "$1")" "$2" > "$pkg/$1.meta"
}
default_importer='DefaultImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
'
# What every PluginImporter says before its own settings.
plugin_importer='PluginImporter:
  externalObjects: {}
  serializedVersion: 2
  iconMap: {}
  executionOrder: {}
  defineConstraints: []
  isPreloaded: 0
  isOverridable: 0
  isExplicitlyReferenced: 0'
# The runtime: a managed plugin for every platform (64-bit only at run time; see README).
runtime_plugin="$plugin_importer
  validateReferences: 1
  platformData:
  - first:
      Any: 
    second:
      enabled: 1
      settings: {}
  - first:
      Editor: Editor
    second:
      enabled: 1
      settings:
        DefaultValueInitialized: true
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"
# The generator: labelled RoslynAnalyzer and included on no platform, as Unity's manual asks, so
# the compiler loads it and no player contains it.
analyzer_plugin="labels:
- RoslynAnalyzer
$plugin_importer
  validateReferences: 0
  platformData:
  - first:
      : Any
    second:
      enabled: 0
      settings:
        Exclude Editor: 1
        Exclude Linux64: 1
        Exclude OSXUniversal: 1
        Exclude Win: 1
        Exclude Win64: 1
  - first:
      Any: 
    second:
      enabled: 0
      settings: {}
  - first:
      Editor: Editor
    second:
      enabled: 0
      settings:
        CPU: AnyCPU
        DefaultValueInitialized: true
        OS: AnyOS
  userData: 
  assetBundleName: 
  assetBundleVariant: 
"
(cd "$pkg" && find . -mindepth 1 ! -name '*.meta' | sed 's:^\./::' | sort) | while read -r path; do
  if [ -d "$pkg/$path" ]; then
    meta "$path" "folderAsset: yes
$default_importer"
  else
    case "$path" in
      Runtime/Plugins/Pymalloc.dll) meta "$path" "$runtime_plugin" ;;
      Runtime/Analyzers/Pymalloc.Generator.dll) meta "$path" "$analyzer_plugin" ;;
      *.asmdef) meta "$path" 'AssemblyDefinitionImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
' ;;
      *.cs) meta "$path" 'MonoImporter:
  externalObjects: {}
  serializedVersion: 2
  defaultReferences: []
  executionOrder: 0
  icon: {instanceID: 0}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
' ;;
      *.md|*.xml|*.json) meta "$path" "TextScriptImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
" ;;
      *) meta "$path" "$default_importer" ;;
    esac
  fi
done

# The tarball UPM installs: the folder as package/, with fixed owners and times (reproducible).
tgz="$out/com.pymalloc.net-$version.tgz"
staging=$(mktemp -d)
cp -r "$pkg" "$staging/package"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' -C "$staging" -czf "$tgz" package
rm -rf "$staging"
echo "$pkg"
echo "$tgz"
