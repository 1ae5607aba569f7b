// Windows PowerShell 5.1 static check of the collection's target scripts, on the tree-sitter AST.
// Usage: node lint.mjs FILE.ps1 [FILE.ps1 ...]
// Each file is checked as the transport sends it: every '# winflask-include: <path>' line is replaced by
// the file it names (relative to the script's folder, as plugins/module_utils/transport.py does), and a
// finding inside an included file is reported at that file's own line. Output, one line per finding:
//   <file>:<line>:<col> <rule-id> <message> (<source>)
// then "ok <file>" for each clean file. Exit 0: no finding. Exit 1: at least one finding. Exit 2: usage
// or setup problem. docs/powershell.md "Static check" lists every rule and why it exists.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { Language, Parser } from "web-tree-sitter";

for (const flag of ["--no-wasm-dynamic-tiering", "--liftoff", "--no-wasm-tier-up"]) v8.setFlagsFromString(flag);

const here = dirname(fileURLToPath(import.meta.url));
const wasm = join(here, "node_modules", "tree-sitter-powershell", "tree-sitter-powershell.wasm");
const INCLUDE = /^[ \t]*#[ \t]*winflask-include:[ \t]*(\S+)[ \t\r]*$/;

const MS = "https://learn.microsoft.com/powershell";
const DIFF = `${MS}/scripting/whats-new/differences-from-windows-powershell`;
const NEW70 = `${MS}/scripting/whats-new/what-s-new-in-powershell-70`;
const WIN_POWERSHELL = "https://docs.ansible.com/ansible/latest/collections/ansible/windows/win_powershell_module.html";

// id -> [message, source]. Messages are completed with the offending text where the check knows it.
export const RULES = {
  "ps7-null-coalescing": ["'??' / '??=' is PowerShell 7 only (5.1: Unexpected token)",
    `${MS}/module/microsoft.powershell.core/about/about_operators#null-coalescing-operator-`],
  "ps7-null-conditional": ["'?.' / '?[]' is PowerShell 7.1+ only; in 5.1 '$x?' is a variable named 'x?'",
    `${MS}/module/microsoft.powershell.core/about/about_operators#null-conditional-operators--and-`],
  "ps7-ternary": ["ternary 'a ? b : c' is PowerShell 7 only; use if/else",
    `${MS}/module/microsoft.powershell.core/about/about_if#using-the-ternary-operator-syntax`],
  "ps7-pipeline-chain": ["pipeline chain '&&' / '||' is PowerShell 7 only; use if ($?) / try",
    `${MS}/module/microsoft.powershell.core/about/about_pipeline_chain_operators`],
  "ps7-clean-block": ["a 'clean {}' block is PowerShell 7.3+ only; use try/finally",
    `${MS}/module/microsoft.powershell.core/about/about_functions_advanced_methods#clean`],
  "ps7-requires": ["#Requires for PowerShell 6+/Core: win_powershell runs Windows PowerShell 5.1",
    `${MS}/module/microsoft.powershell.core/about/about_requires`],
  "ps7-cmdlet": ["cmdlet that Windows PowerShell 5.1 does not have", DIFF],
  "ps7-parameter": ["parameter that the Windows PowerShell 5.1 cmdlet does not have", DIFF],
  "ps7-variable": ["automatic variable that Windows PowerShell 5.1 does not define ($null there)", DIFF],
  "ps7-encoding": ["-Encoding value that Windows PowerShell 5.1 does not accept (5.1: UTF8 writes a BOM)",
    `${MS}/module/microsoft.powershell.core/about/about_character_encoding`],
  "ps7-replace-scriptblock": ["-replace with a scriptblock substitution is PowerShell 6.1+; 5.1 turns the block into text",
    `${MS}/module/microsoft.powershell.core/about/about_comparison_operators#replacement-with-a-script-block`],
  "type-not-loaded": ["type from an assembly Windows PowerShell 5.1 does not load by default, used before the script "
    + "loads it (5.1: 'Unable to find type'); Add-Type -AssemblyName first", `${MS}/module/microsoft.powershell.core/about/about_type_accelerators`
    + " ; https://learn.microsoft.com/dotnet/api/system.serviceprocess.servicecontroller (Assembly: System.ServiceProcess.dll)"],
  "type-assembly-unknown": ["type whose assembly is not in lint.mjs's table (ASSEMBLIES): add the namespace with its "
    + "assembly and whether 5.1 loads it by default", "https://learn.microsoft.com/dotnet/api/ (each type's 'Assembly:' line)"],
  "join-path-over-path": ["Join-Path over PATH entries throws DriveNotFoundException for an entry on a missing drive; "
    + "use [IO.Path]::Combine and skip bad entries (issue 9 item 2)", `${MS}/module/microsoft.powershell.management/join-path`
    + " ; https://learn.microsoft.com/dotnet/api/system.io.path.combine"],
  "path-lookup-without-pathext": ["program lookup over PATH that never reads PATHEXT: 'nssm' is not found as nssm.exe "
    + "(issue 9 item 3)", "https://learn.microsoft.com/windows-server/administration/windows-commands/path"],
  "unsigned-cast": ["cast of a value to an unsigned type throws for a negative number (a QWORD/DWORD registry value "
    + "comes back as Int64/Int32); convert bit for bit with [BitConverter] (issue 9 item 8)",
  "https://learn.microsoft.com/dotnet/api/microsoft.win32.registryvaluekind"],
  "managed-sha": ["managed hash implementation (SHA*.Create()/SHA*Managed) throws on FIPS-enabled hosts; use "
    + "Get-FileHash or SHA256CryptoServiceProvider (issue 9 item 12)",
  "https://learn.microsoft.com/dotnet/api/system.security.cryptography.sha256.create"],
  "should-process-changed": ["script declares SupportsShouldProcess (a read script) but never sets "
    + "$Ansible.Changed = $false; win_powershell starts it at $true (issue 9 item 6)", WIN_POWERSHELL],
  "should-process-whatif": ["in a SupportsShouldProcess script this cmdlet honours -WhatIf, which win_powershell "
    + "passes in check mode: pass -WhatIf:$false (issue 9 item 7)", `${WIN_POWERSHELL} ; ${MS}/module/`
    + "microsoft.powershell.core/about/about_preference_variables#whatifpreference"],
  "return-unrolled": ["an MWA element/collection returned without the unary comma is unrolled by the pipeline (an "
    + "empty collection becomes $null): return , $x (issue 9 item 9)",
  `${MS}/module/microsoft.powershell.core/about/about_return`],
  "hresult-comexception": ["HRESULT read only from COMException: .NET maps well-known HRESULTs to other exception "
    + "types; read .HResult of every exception in the chain (issue 9 item 5)",
  "https://learn.microsoft.com/dotnet/framework/interop/how-to-map-hresults-and-exceptions"],
  "ntaccount-dot-user": ["NTAccount built from a user name without replacing a leading '.\\' by the computer name: "
    + "Translate() does not know '.' (issue 9 item 4)",
  "https://learn.microsoft.com/dotnet/api/system.security.principal.ntaccount.translate"],
  "apphost-redirection": ["script fingerprints or backs up applicationHost.config but never looks at "
    + "redirection.config (shared configuration) (issue 9 item 13)",
  "https://learn.microsoft.com/iis/web-hosting/configuring-servers-in-the-windows-web-platform/shared-configuration_211"],
};

// ---- tables -------------------------------------------------------------------------------------------------

// Cmdlets and parameters added after Windows PowerShell 5.1 (each cmdlet's page: "This parameter was introduced
// in PowerShell 6.x/7.x"; the 5.1 syntax blocks at learn.microsoft.com/powershell/module/...?view=powershell-5.1).
const PS7_CMDLETS = new Set(["join-string", "get-error", "test-json", "convertfrom-markdown", "show-markdown",
  "get-markdownoption", "set-markdownoption", "get-uptime", "remove-alias", "remove-service",
  "foreach-object-parallel", "get-pssubsystem", "enable-experimentalfeature", "disable-experimentalfeature",
  "get-experimentalfeature", "update-help-scope"]);
const PS7_PARAMETERS = {
  "convertfrom-json": ["AsHashtable", "Depth", "NoEnumerate", "DateKind"],
  "convertto-json": ["AsArray", "EnumsAsStrings", "EscapeHandling"],
  "foreach-object": ["Parallel", "ThrottleLimit", "TimeoutSeconds", "AsJob", "UseNewRunspace"],
  "get-content": ["AsByteStream"], "set-content": ["AsByteStream"], "add-content": ["AsByteStream"],
  "invoke-webrequest": ["SkipCertificateCheck", "Authentication", "SslProtocol", "SkipHeaderValidation", "NoProxy",
    "Resume", "StatusCodeVariable", "ResponseHeadersVariable", "SkipHttpErrorCheck", "HttpVersion", "Token"],
  "invoke-restmethod": ["SkipCertificateCheck", "Authentication", "SslProtocol", "SkipHeaderValidation", "NoProxy",
    "Resume", "StatusCodeVariable", "ResponseHeadersVariable", "SkipHttpErrorCheck", "HttpVersion", "Token",
    "FollowRelLink"],
  "split-path": ["LeafBase", "Extension"], "join-path": ["AdditionalChildPath"],
  "sort-object": ["Top", "Bottom"], "get-random": ["Shuffle"], "select-string": ["Raw", "NoEmphasis"],
  "get-date": ["AsUTC", "UnixTimeSeconds"], "test-connection": ["TargetName", "Ping", "TcpPort", "Traceroute"],
  "new-item": [], "start-process": ["Environment"], "get-childitem": ["FollowSymlink"],
};
// 5.1 parameters that share a prefix with a PS7-only one (so '-D' is not reported for ConvertTo-Json -Depth).
const PS51_PARAMETERS = {
  "convertto-json": ["Compress", "Depth", "InputObject"], "convertfrom-json": ["InputObject"],
  "foreach-object": ["Begin", "Process", "End", "RemainingScripts", "MemberName", "ArgumentList", "InputObject"],
  "sort-object": ["Property", "Descending", "Unique", "InputObject", "Culture", "CaseSensitive"],
  "get-date": ["Date", "Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond", "DisplayHint", "Format", "UFormat"],
  "split-path": ["Parent", "Leaf", "Qualifier", "NoQualifier", "IsAbsolute", "Resolve", "LiteralPath", "Path"],
  "select-string": ["Pattern", "Path", "LiteralPath", "InputObject", "SimpleMatch", "CaseSensitive", "Quiet", "List",
    "Include", "Exclude", "NotMatch", "AllMatches", "Encoding", "Context"],
  "get-childitem": ["Filter", "Force", "File", "Directory", "Hidden", "ReadOnly", "System", "Recurse", "Depth", "Name"],
};
const ALIASES = { "%": "foreach-object", "foreach": "foreach-object", "gc": "get-content", "cat": "get-content",
  "type": "get-content", "ac": "add-content", "sc": "set-content", "iwr": "invoke-webrequest",
  "irm": "invoke-restmethod", "sort": "sort-object", "sls": "select-string", "gci": "get-childitem",
  "dir": "get-childitem", "ls": "get-childitem", "ni": "new-item", "ri": "remove-item", "rm": "remove-item",
  "del": "remove-item", "rd": "remove-item", "rmdir": "remove-item", "erase": "remove-item", "cp": "copy-item",
  "copy": "copy-item", "cpi": "copy-item", "mv": "move-item", "move": "move-item", "mi": "move-item",
  "ren": "rename-item", "rni": "rename-item", "si": "set-item", "sp": "set-itemproperty", "rp": "remove-itemproperty",
  "kill": "stop-process", "spps": "stop-process", "sasv": "start-service", "spsv": "stop-service",
  "clc": "clear-content", "cli": "clear-item", "md": "new-item", "mkdir": "new-item", "saps": "start-process" };
const PS7_VARIABLES = new Set(["iswindows", "islinux", "ismacos", "iscorecLR".toLowerCase(), "psstyle",
  "psnativecommandargumentpassing", "psnativecommanduseerroractionpreference", "pslogginginfo"]);
const PS7_ENCODINGS = new Set(["utf8nobom", "utf8bom", "ansi"]);

// Cmdlets that call ShouldProcess (their pages list -WhatIf), so under win_powershell's check mode -WhatIf they
// only print "What if:". A read script must pass -WhatIf:$false to the setup commands it runs.
const SHOULD_PROCESS_CMDLETS = new Set(["remove-typedata", "update-typedata", "new-item", "remove-item", "set-content",
  "add-content", "clear-content", "copy-item", "move-item", "rename-item", "set-item", "clear-item",
  "set-itemproperty", "new-itemproperty", "remove-itemproperty", "rename-itemproperty", "copy-itemproperty",
  "clear-itemproperty", "stop-process", "start-service", "stop-service", "restart-service", "suspend-service",
  "resume-service", "set-service", "new-service", "set-acl", "out-file", "export-csv", "export-clixml",
  "set-variable", "remove-variable", "new-variable", "clear-variable", "set-location", "push-location",
  "set-date", "new-psdrive", "remove-psdrive", "set-executionpolicy", "register-objectevent", "start-job"]);

// Windows PowerShell 5.1's type accelerators ([psobject].Assembly.GetType(
// 'System.Management.Automation.TypeAccelerators')::Get): their assemblies are loaded by definition.
const ACCELERATORS = new Set(("adsi adsisearcher alias allowemptycollection allowemptystring allownull argumentcompleter "
  + "array bigint bool byte char cimclass cimconverter ciminstance cimsessionoption cimtype cmdletbinding cultureinfo "
  + "datetime decimal double dsclocalconfigurationmanager dscproperty dscresource experimentaction experimental "
  + "flagsattribute float guid hashtable int int16 int32 int64 ipaddress ipendpoint long mailaddress "
  + "ordered outputtype parameter physicaladdress psaliasproperty pscredential pscustomobject psdefaultvalue "
  + "pslistmodifier psmoduleinfo psnoteproperty psobject pstypenameattribute psprimitivedictionary psscriptmethod "
  + "psscriptproperty psvariable psvariableproperty ref regex runspace runspacefactory sbyte scriptblock securestring "
  + "semver short single string supportswildcards switch timespan type uint16 uint32 uint64 uri validatecount "
  + "validatedrive validatelength validatenotnull validatenotnullorempty validatepattern validaterange validatescript "
  + "validateset validateuserdrive version void wildcardpattern wmi wmiclass wmisearcher x500distinguishedname "
  + "x509certificate xml object int8 uint ulong ushort").split(" "));

// Namespace -> [assembly, loaded by default in Windows PowerShell 5.1]. Exact namespaces (the part of a type name
// before its last dot). Derived conservatively from each type's "Assembly:" line on learn.microsoft.com/dotnet/api:
// true only for mscorlib, System, System.Core, System.Management.Automation (and what it references: System.Xml,
// System.Management, System.DirectoryServices, Microsoft.Management.Infrastructure), Microsoft.PowerShell.*.
// A namespace that is split over assemblies keeps its default-loaded part here and lists the others in TYPES.
const ASSEMBLIES = {
  "System": ["mscorlib", true], "System.Collections": ["mscorlib", true],
  "System.Collections.Generic": ["mscorlib", true], "System.Collections.ObjectModel": ["mscorlib", true],
  "System.Collections.Concurrent": ["mscorlib", true], "System.Collections.Specialized": ["System", true],
  "System.ComponentModel": ["System", true], "System.Diagnostics": ["System", true],
  "System.Globalization": ["mscorlib", true], "System.IO": ["mscorlib", true], "System.IO.Compression": ["System", true],
  "System.Linq": ["System.Core", true], "System.Net": ["System", true], "System.Net.Sockets": ["System", true],
  "System.Net.NetworkInformation": ["System", true], "System.Reflection": ["mscorlib", true],
  "System.Runtime.InteropServices": ["mscorlib", true], "System.Runtime.InteropServices.ComTypes": ["mscorlib", true],
  "System.Security": ["mscorlib", true], "System.Security.AccessControl": ["mscorlib", true],
  "System.Security.Cryptography": ["mscorlib", true],
  "System.Security.Cryptography.X509Certificates": ["System", true], "System.Security.Principal": ["mscorlib", true],
  "System.Text": ["mscorlib", true], "System.Text.RegularExpressions": ["System", true],
  "System.Threading": ["mscorlib", true], "System.Threading.Tasks": ["mscorlib", true],
  "System.Xml": ["System.Xml", true], "System.Management": ["System.Management", true],
  "System.DirectoryServices": ["System.DirectoryServices", true],
  "System.Management.Automation": ["System.Management.Automation", true],
  "System.Management.Automation.Language": ["System.Management.Automation", true],
  "System.Management.Automation.Runspaces": ["System.Management.Automation", true],
  "Microsoft.Management.Infrastructure": ["Microsoft.Management.Infrastructure", true],
  "Microsoft.PowerShell.Commands": ["Microsoft.PowerShell.Commands.Utility", true],
  "Microsoft.Win32": ["mscorlib", true], "Microsoft.Win32.SafeHandles": ["mscorlib", true],
  // Not loaded by default:
  "System.ServiceProcess": ["System.ServiceProcess", false],
  "System.Web": ["System.Web", false], "System.Web.Security": ["System.Web", false],
  "System.Web.Script.Serialization": ["System.Web.Extensions", false],
  "Microsoft.Web.Administration": ["Microsoft.Web.Administration", false],
  "System.Windows.Forms": ["System.Windows.Forms", false], "System.Drawing": ["System.Drawing", false],
  "System.Net.Http": ["System.Net.Http", false],
  "System.DirectoryServices.AccountManagement": ["System.DirectoryServices.AccountManagement", false],
  "System.Xml.Linq": ["System.Xml.Linq", false], "System.IO.Compression.FileSystem": ["System.IO.Compression.FileSystem", false],
  "System.Security.Cryptography.Xml": ["System.Security", false],
  "System.Configuration.Install": ["System.Configuration.Install", false],
};
// Types whose assembly differs from their namespace's entry above.
const TYPES = {
  "System.IO.Compression.ZipFile": ["System.IO.Compression.FileSystem", false],
  "System.IO.Compression.ZipFileExtensions": ["System.IO.Compression.FileSystem", false],
  "System.IO.Compression.ZipArchive": ["System.IO.Compression", false],
  "System.IO.Compression.ZipArchiveEntry": ["System.IO.Compression", false],
  "System.IO.Compression.ZipArchiveMode": ["System.IO.Compression", false],
  "System.Security.Cryptography.ProtectedData": ["System.Security", false],
  "System.Security.Cryptography.DataProtectionScope": ["System.Security", false],
  "System.Security.Cryptography.SHA256CryptoServiceProvider": ["System.Core", true],
  "System.Web.HttpUtility": ["System.Web", false],
};

// ---- the script as sent -------------------------------------------------------------------------------------

// The text of a script with its includes expanded, and for each line of it the file and line it came from.
function expand(file) {
  const lines = [];
  const origin = [];
  const done = new Set();
  const own = readFileSync(file, "utf8").split("\n");
  own.forEach((line, index) => {
    const match = INCLUDE.exec(line);
    if (!match) { lines.push(line); origin.push([file, index]); return; }
    const path = resolve(dirname(file), match[1]);
    if (done.has(path)) return;
    done.add(path);
    const body = readFileSync(path, "utf8").replace(/\n$/, "").split("\n");
    const rel = relative(process.cwd(), path);
    const shown = rel && !rel.startsWith("..") ? rel : path;
    body.forEach((bodyLine, bodyIndex) => { lines.push(bodyLine); origin.push([shown, bodyIndex]); });
  });
  return { text: lines.join("\n"), origin };
}

// ---- helpers over the tree ----------------------------------------------------------------------------------

function* walk(node) {
  yield node;
  for (const child of node.children) yield* walk(child);
}

function ancestors(node) {
  const out = [];
  for (let up = node.parent; up; up = up.parent) out.push(up);
  return out;
}

const STRING_NODES = new Set(["verbatim_string_characters", "verbatim_here_string_characters",
  "expandable_string_literal", "expandable_here_string_literal"]);

// The source with comments and the literal text of strings blanked (line breaks kept, so offsets stay valid);
// the code inside "$( ... )" of an expandable string stays.
function codeOnly(text, root) {
  const chars = text.split("");
  const blank = (from, to) => { for (let i = from; i < to; i++) if (chars[i] !== "\n") chars[i] = " "; };
  for (const node of walk(root)) {
    if (node.type === "comment") blank(node.startIndex, node.endIndex);
    else if (STRING_NODES.has(node.type)) {
      let at = node.startIndex;
      for (const child of node.children) {
        if (child.type === "sub_expression") { blank(at, child.startIndex); at = child.endIndex; }
      }
      blank(at, node.endIndex);
    }
  }
  return chars.join("");
}

// Type names in a type literal's text or a New-Object argument: "List[string]" -> ["List", "string"].
function typeNames(text) {
  return text.replace(/`\d+/g, "").split(/[[\],\s]+/).filter((name) => /^[A-Za-z_][\w.+]*$/.test(name));
}

function stringValue(node) {
  const text = node.text.trim();
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  return quoted ? quoted[2] : text;
}

function commandName(node) {
  const nameNode = node.children.find((c) => c.type === "command_name");
  if (!nameNode) return null;
  const name = nameNode.text.toLowerCase();
  return ALIASES[name] || name;
}

// A command's parameters and arguments in order: [{param: "WhatIf", value: node|null, node}] and bare arguments.
function commandElements(node) {
  const elements = node.children.find((c) => c.type === "command_elements");
  const items = [];
  if (!elements) return items;
  const parts = elements.children.filter((c) => c.type !== "command_argument_sep" || c.text.includes(":"));
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.type === "command_parameter") {
      const name = part.text.replace(/^-/, "").replace(/:$/, "");
      const colon = part.text.endsWith(":") || (parts[i + 1] && parts[i + 1].type === "command_argument_sep");
      let value = null;
      if (colon) { i += parts[i + 1] && parts[i + 1].type === "command_argument_sep" ? 1 : 0; value = parts[++i] || null; }
      else if (parts[i + 1] && parts[i + 1].type !== "command_parameter") value = parts[i + 1];
      items.push({ param: name, value, node: part, colon });
    } else if (part.type !== "command_argument_sep") {
      items.push({ param: null, value: part, node: part });
    }
  }
  return items;
}

function matchesParameter(given, full, known51) {
  const g = given.toLowerCase();
  const f = full.toLowerCase();
  if (g === f) return true;
  if (g.length < 2 || !f.startsWith(g)) return false;
  return !known51.some((name) => name.toLowerCase().startsWith(g));
}

// ---- the checks ---------------------------------------------------------------------------------------------

const PATH_SOURCE = /\$env:path\b|GetEnvironmentVariable\(\s*['"]path['"]|-split\s*['"];['"]|\.Split\(\s*['"];['"]/i;

function lint(text) {
  const tree = lint.parser.parse(text);
  const root = tree.rootNode;
  const code = codeOnly(text, root);
  const findings = [];
  const report = (index, rule, detail) => findings.push({ index, rule, detail });

  // Textual rules, for syntax tree-sitter cannot parse (the syntax check fails there too) and for pipeline chains.
  const textual = [
    [/\?\?=?/g, "ps7-null-coalescing"],
    [/(?:\}|\$[\w:]+)\?(?:\.|\[)/g, "ps7-null-conditional"],
    [/[\w)\]}'"]\s+\?\s+(?![{\s])[^\n;]*?\s:\s/g, "ps7-ternary"],
    [/&&|\|\|/g, "ps7-pipeline-chain"],
    [/(?:^|[\s{;])clean\s*\{/gm, "ps7-clean-block"],
  ];
  for (const [pattern, rule] of textual) {
    for (const match of code.matchAll(pattern)) {
      if (rule === "ps7-null-conditional" && code.slice(match.index - 1, match.index + 1).includes("??")) continue;
      report(match.index + (match[0].match(/^\s/) ? 1 : 0), rule, match[0].trim());
    }
  }

  const nodes = [...walk(root)];
  const definedNamespaces = new Set();
  const loads = []; // [index, assembly]
  const dllLiterals = new Set();
  for (const node of nodes) {
    if (node.type === "comment" && /^#requires\s+-(?:version\s+(?:[6-9]|\d\d)|psedition\s+core)/i.test(node.text)) {
      report(node.startIndex, "ps7-requires", node.text);
    }
    if (STRING_NODES.has(node.type)) {
      for (const match of node.text.matchAll(/([\w.]+)\.dll\b/gi)) dllLiterals.add(match[1].toLowerCase());
    }
  }

  // Assemblies loaded, and namespaces compiled by Add-Type -TypeDefinition, with where they are loaded.
  for (const node of nodes) {
    if (node.type === "command" && commandName(node) === "add-type") {
      for (const item of commandElements(node)) {
        if (!item.param || !item.value) continue;
        const param = item.param.toLowerCase();
        if ("assemblyname".startsWith(param) && param.length >= 2) {
          for (const name of item.value.text.split(",")) loads.push([node.startIndex, stringValue({ text: name }).split(/\s/)[0].toLowerCase()]);
        } else if (param === "path" || param === "literalpath") {
          loads.push([node.startIndex, ...dynamicLoad(item.value.text, dllLiterals)]);
        } else if ("typedefinition".startsWith(param) && param.length >= 2) {
          for (const match of item.value.text.matchAll(/\bnamespace\s+([\w.]+)/g)) definedNamespaces.add(match[1].toLowerCase());
        }
      }
    }
    if (node.type === "invokation_expression") {
      const type = node.children.find((c) => c.type === "type_literal");
      const member = node.children.find((c) => c.type === "member_name");
      if (type && member && /^(system\.)?reflection\.assembly$/i.test(type.text.slice(1, -1).trim())) {
        const args = node.children.find((c) => c.type === "argument_list");
        const method = member.text.toLowerCase();
        const argText = args ? args.text.slice(1, -1).trim() : "";
        if (method === "load" || method === "loadwithpartialname") {
          loads.push([node.startIndex, stringValue({ text: argText }).split(",")[0].trim().toLowerCase()]);
        } else if (method === "loadfrom" || method === "loadfile") {
          loads.push([node.startIndex, ...dynamicLoad(argText, dllLiterals)]);
        }
      }
    }
  }
  const loadedAt = (index, assembly) => loads.some(([at, ...names]) => at < index && names.includes(assembly.toLowerCase()));

  const checkType = (name, index) => {
    if (ACCELERATORS.has(name.toLowerCase())) return;
    for (const candidate of [name, `System.${name}`]) {
      const namespace = candidate.includes(".") ? candidate.slice(0, candidate.lastIndexOf(".")) : "";
      if (definedNamespaces.has(namespace.toLowerCase())) return;
      const entry = lookup(TYPES, candidate) || lookup(ASSEMBLIES, namespace);
      if (!entry) continue;
      const [assembly, byDefault] = entry;
      if (!byDefault && !loadedAt(index, assembly)) report(index, "type-not-loaded", `[${candidate}] (${assembly})`);
      return;
    }
    report(index, "type-assembly-unknown", `[${name}]`);
  };

  const shouldProcess = findShouldProcess(nodes);
  let changedFalse = false;

  for (const node of nodes) {
    switch (node.type) {
      case "type_literal": {
        // (attributes with arguments, [Parameter(...)], are attribute_name nodes; a bare [Type] is a constraint)
        const spec = node.children.find((c) => c.type === "type_spec");
        if (!spec) break;
        for (const name of typeNames(spec.text)) checkType(name, node.startIndex);
        const inner = spec.text.replace(/\s/g, "");
        if (/^(System\.)?(UInt64|UInt32|uint64|uint32|ulong|uint)$/i.test(inner) && node.parent.type === "cast_expression") {
          const operand = node.parent.children.find((c) => c !== node && c.type !== "type_literal");
          if (operand && !/^[\s(]*-?(\d|0x)/i.test(operand.text)) report(node.startIndex, "unsigned-cast", `[${inner}]${operand.text.slice(0, 30)}`);
        }
        if (/(^|\.)SHA(1|256|384|512)Managed$|(^|\.)(RijndaelManaged|MD5CryptoServiceProvider)$/i.test(inner)) {
          report(node.startIndex, "managed-sha", `[${inner}]`);
        }
        break;
      }
      case "invokation_expression": {
        const type = node.children.find((c) => c.type === "type_literal");
        const member = node.children.find((c) => c.type === "member_name");
        if (type && member && /^create$/i.test(member.text)
            && /(^|\.)(SHA1|SHA256|SHA384|SHA512|HashAlgorithm|MD5)$/i.test(type.text.slice(1, -1).trim())) {
          report(node.startIndex, "managed-sha", `${type.text}::${member.text}()`);
        }
        break;
      }
      case "command": {
        const name = commandName(node);
        if (!name) break;
        const items = commandElements(node);
        if (PS7_CMDLETS.has(name)) report(node.startIndex, "ps7-cmdlet", name);
        const forbidden = PS7_PARAMETERS[name] || [];
        for (const item of items) {
          if (!item.param) continue;
          const hit = forbidden.find((full) => matchesParameter(item.param, full, PS51_PARAMETERS[name] || []));
          if (hit) report(item.node.startIndex, "ps7-parameter", `${name} -${hit}`);
          if (item.param.toLowerCase() === "encoding" && item.value && PS7_ENCODINGS.has(stringValue(item.value).toLowerCase())) {
            report(item.value.startIndex, "ps7-encoding", `-Encoding ${stringValue(item.value)}`);
          }
        }
        if (name === "new-object") {
          const typeArg = items.find((item) => item.param && "typename".startsWith(item.param.toLowerCase()))
            || items.find((item) => !item.param);
          if (typeArg && typeArg.value && !typeArg.value.text.startsWith("$")) {
            for (const typeName of typeNames(stringValue(typeArg.value))) checkType(typeName, typeArg.value.startIndex);
            if (/(^|\.)SHA(1|256|384|512)Managed$|(^|\.)RijndaelManaged$/i.test(stringValue(typeArg.value))) {
              report(typeArg.value.startIndex, "managed-sha", stringValue(typeArg.value));
            }
          }
        }
        if (shouldProcess && SHOULD_PROCESS_CMDLETS.has(name)) {
          const whatIf = items.find((item) => item.param && item.param.toLowerCase() === "whatif");
          if (!whatIf || !whatIf.value || !/^\$false$/i.test(whatIf.value.text.trim()) || !whatIf.colon) {
            report(node.startIndex, "should-process-whatif", `${name} without -WhatIf:$false`);
          }
        }
        if (name === "join-path" && joinOverPath(node, nodes)) report(node.startIndex, "join-path-over-path", node.text.split("\n")[0]);
        break;
      }
      case "assignment_expression": {
        const left = node.children[0];
        const right = node.children[2];
        if (left && right && /^\$Ansible\.Changed$/i.test(left.text.trim()) && /^\$false$/i.test(right.text.trim())) changedFalse = true;
        break;
      }
      case "variable": {
        const variable = node.text.replace(/^\$\{?|\}$/g, "").toLowerCase();
        if (PS7_VARIABLES.has(variable)) report(node.startIndex, "ps7-variable", node.text);
        break;
      }
      case "comparison_operator": {
        const operator = node.text.toLowerCase();
        if (/^-[ci]?replace$/.test(operator)) {
          const rhs = node.nextSibling;
          if (rhs && /,\s*\{/.test(rhs.text) && rhs.descendantsOfType("script_block").length) {
            report(node.startIndex, "ps7-replace-scriptblock", `${node.text} ..., { }`);
          }
        }
        if (/^-(is|isnot)$/.test(operator) && node.nextSibling && /COMException\]$/i.test(node.nextSibling.text.trim())) {
          report(node.startIndex, "hresult-comexception", node.nextSibling.text.trim());
        }
        break;
      }
      case "flow_control_statement": {
        if (!/^return\b/i.test(node.text)) break;
        const value = node.children.find((c) => c.type === "pipeline");
        if (value && returnsCollection(value, node, nodes)) report(node.startIndex, "return-unrolled", node.text.split("\n")[0]);
        break;
      }
      default:
    }
  }

  if (shouldProcess && !changedFalse) report(shouldProcess.startIndex, "should-process-changed", "no $Ansible.Changed = $false");

  // Script-wide heuristics (items 3, 4, 13).
  const pathSplit = PATH_SOURCE.exec(code);
  if (pathSplit && /\$env:path\b|GetEnvironmentVariable\(\s*['"]path['"]/i.test(text) && !/PATHEXT/i.test(text)) {
    report(pathSplit.index, "path-lookup-without-pathext", pathSplit[0]);
  }
  const ntaccount = /New-Object\s+(?:-TypeName\s+)?(?:System\.)?Security\.Principal\.NTAccount\b|\[(?:System\.)?Security\.Principal\.NTAccount\]/i.exec(code);
  // Evidence of the '.\' handling: a string '.\', '^\.\\' or '.\*' somewhere in the script.
  if (ntaccount && !/['"]\^?\\?\.\\{1,2}\*?['"]/.test(text)) report(ntaccount.index, "ntaccount-dot-user", ntaccount[0]);
  if (/applicationHost\.config/i.test(text) && /\bGet-FileHash\b|\bCopy-Item\b|\.ComputeHash\(/i.test(code) && !/redirection\.config/i.test(text)) {
    const at = Math.max(0, text.search(/['"][^'"\n]*applicationHost\.config/i));
    report(at, "apphost-redirection", "applicationHost.config");
  }
  return findings;
}

function lookup(table, key) {
  const wanted = key.toLowerCase();
  for (const [name, entry] of Object.entries(table)) if (name.toLowerCase() === wanted) return entry;
  return null;
}

// LoadFrom($x) / Add-Type -Path $x: a literal names its dll; a variable is taken to load every '<name>.dll' the
// script spells out in a string (the scripts build the path with Join-Path from such a literal).
function dynamicLoad(argText, dllLiterals) {
  const literal = /([\w.]+)\.dll\b/i.exec(argText);
  if (literal) return [literal[1].toLowerCase()];
  return [...dllLiterals];
}

// The script-level [CmdletBinding(SupportsShouldProcess[=$true])] attribute node, or null.
function findShouldProcess(nodes) {
  for (const node of nodes) {
    if (node.type !== "attribute") continue;
    if (!/^\[\s*CmdletBinding\s*\(/i.test(node.text)) continue;
    if (ancestors(node).some((a) => a.type === "function_statement")) continue;
    const match = /SupportsShouldProcess\s*(=\s*\$(\w+))?/i.exec(node.text);
    if (match && (!match[2] || match[2].toLowerCase() === "true")) return node;
  }
  return null;
}

// Join-Path inside a foreach over PATH entries (directly, or through a variable assigned from them) or in a
// ForEach-Object fed by them; PATH entries: $env:Path, GetEnvironmentVariable('Path'), -split ';'.
function joinOverPath(join, nodes) {
  const scope = ancestors(join).find((a) => a.type === "function_statement") || nodes[0];
  const assigned = {};
  for (const node of walk(scope)) {
    if (node.type !== "assignment_expression" || !node.children[2]) continue;
    const name = node.children[0].text.trim().toLowerCase();
    assigned[name] = (assigned[name] || "") + " " + node.children[2].text;
  }
  const fromPath = (text) => {
    if (PATH_SOURCE.test(text)) return true;
    return [...text.matchAll(/\$[\w:]+/g)].some((v) => PATH_SOURCE.test(assigned[v[0].toLowerCase()] || ""));
  };
  for (const up of ancestors(join)) {
    if (up.type === "foreach_statement") {
      const source = up.children.find((c) => c.type === "pipeline");
      const loopVariable = up.children.find((c) => c.type === "variable");
      if (source && fromPath(source.text)) {
        const usesLoop = !loopVariable || join.text.toLowerCase().includes(loopVariable.text.toLowerCase());
        if (usesLoop) return true;
      }
    }
    if (up.type === "pipeline_chain" && /ForEach-Object|%\s*\{/i.test(up.text)) {
      const first = up.children[0];
      if (first && first.type !== "command" && fromPath(first.text) && first.endIndex <= join.startIndex) return true;
    }
    if (up.type === "function_statement") break;
  }
  return false;
}

// return <x>.Get...Element...(...) / .GetCollection(...), or return $var assigned from one, without ', '.
const COLLECTION_CALL = /\.(GetCollection|Get\w*Element\w*|GetChildElement)\s*\(/i;
function returnsCollection(value, statement, nodes) {
  const text = value.text.trim();
  if (text.startsWith(",")) return false;
  if (COLLECTION_CALL.test(text) && /^\$[\w.]+\.(GetCollection|Get\w*Element\w*)\s*\([^()]*\)$/i.test(text)) return true;
  const variable = /^\$(\w+)$/.exec(text);
  if (!variable) return false;
  const scope = ancestors(statement).find((a) => a.type === "function_statement") || nodes[0];
  for (const node of walk(scope)) {
    if (node.type !== "assignment_expression" || !node.children[2]) continue;
    if (node.children[0].text.trim().toLowerCase() !== `$${variable[1].toLowerCase()}`) continue;
    if (/^\$[\w.]+\.(GetCollection|Get\w*Element\w*)\s*\([^()]*\)$/i.test(node.children[2].text.trim())) return true;
  }
  return false;
}

// ---- main ---------------------------------------------------------------------------------------------------

function position(text, origin, index) {
  const before = text.slice(0, index);
  const row = before.split("\n").length - 1;
  const column = index - (before.lastIndexOf("\n") + 1);
  const [file, line] = origin[row];
  return `${file}:${line + 1}:${column + 1}`;
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node lint.mjs FILE.ps1 [FILE.ps1 ...]");
    return 2;
  }
  await Parser.init();
  lint.parser = new Parser();
  lint.parser.setLanguage(await Language.load(wasm));
  const seen = new Set();
  let failed = 0;
  for (const file of files) {
    const { text, origin } = expand(file);
    const findings = lint(text).sort((a, b) => a.index - b.index);
    if (findings.length === 0) {
      console.log(`ok ${file}`);
      continue;
    }
    failed += 1;
    for (const finding of findings) {
      const [message, source] = RULES[finding.rule];
      const line = `${position(text, origin, finding.index)} ${finding.rule} ${message}: ${finding.detail} (${source})`;
      if (seen.has(line)) continue; // a common file included by several scripts
      seen.add(line);
      console.log(line);
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`lint.mjs: ${err.stack || err}`);
    process.exit(2);
  },
);
