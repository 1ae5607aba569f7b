# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.3.
# winflask-script: config_read
<#
Reads IIS configuration sections through Microsoft.Web.Administration (MWA) and returns them as
ONE JSON string in $Ansible.Result:
  {"fingerprint": {<file>: <sha256|null>}, "sections": [{section, pspath, location, file, locked, element}]}
Request: {"reads": [{"section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}]}
Read only. SupportsShouldProcess lets win_powershell run it in check mode.
Self-contained on purpose: the transport sends one script text. Helper functions shared with
config_apply.ps1 are kept textually identical (tests/unit/test_powershell_contract.py checks it).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory = $true)]
    [string]$Request
)

$ErrorActionPreference = 'Stop'
# PS 5.1: ETS type data on System.Array can make ConvertTo-Json emit {"value": [...], "Count": n}.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue

$ApphostPrefix = 'MACHINE/WEBROOT/APPHOST'

function New-WinflaskError {
    # An exception that carries one of the error codes of docs/architecture.md 3.6.
    param([string]$Code, [string]$Message, [hashtable]$Details = @{})
    $exception = New-Object System.Exception $Message
    $exception.Data['winflask_code'] = $Code
    $exception.Data['winflask_details'] = $Details
    return $exception
}

function Get-ErrorPayload {
    # Turns any caught error into {"error": {"code", "message", ...}}; maps MWA COM errors to codes.
    param($ErrorRecord)
    $exception = $ErrorRecord.Exception
    $details = @{}
    $code = $null
    $hresult = $null
    $current = $exception
    while ($null -ne $current) {
        if ($current.Data.Contains('winflask_code')) {
            $code = $current.Data['winflask_code']
            $details = $current.Data['winflask_details']
            $exception = $current
            break
        }
        if ($current -is [System.Runtime.InteropServices.COMException]) {
            $hresult = '0x{0:X8}' -f $current.ErrorCode
            $exception = $current
        }
        $current = $current.InnerException
    }
    $message = $exception.Message
    if ($null -eq $code) {
        if ($message -match 'missing a section declaration') { $code = 'SectionNotRegistered' }
        elseif ($hresult -eq '0x80070021' -or $message -match 'cannot be used at this path|locked') { $code = 'SectionLocked' }
        elseif ($hresult -eq '0x800700B7' -or $message -match 'Cannot add duplicate collection entry') { $code = 'DuplicateKey' }
        elseif ($message -match 'Unrecognized attribute') { $code = 'UnknownAttribute' }
        elseif ($message -match 'Missing required attribute') { $code = 'InvalidValue' }
        elseif ($message -match 'Unrecognized element') { $code = 'UnknownElement' }
        elseif ($hresult -eq '0x8007000D' -or $message -match 'not well-formed|Cannot read configuration file') { $code = 'ConfigFileError' }
        elseif ($hresult -eq '0x80070057') { $code = 'InvalidValue' }
        else { $code = 'ScriptError' }
    }
    $body = [ordered]@{ code = $code; message = $message }
    if ($hresult) { $body['hresult'] = $hresult }
    foreach ($key in $details.Keys) { $body[$key] = $details[$key] }
    return @{ error = $body }
}

function Get-IisPaths {
    # Where IIS keeps its config and MWA; IISNotInstalled when either is missing.
    $inetsrv = Join-Path $env:windir 'System32\inetsrv'
    $paths = @{
        Apphost = Join-Path $inetsrv 'config\applicationHost.config'
        Mwa = Join-Path $inetsrv 'Microsoft.Web.Administration.dll'
    }
    if (-not (Test-Path -LiteralPath $paths.Apphost) -or -not (Test-Path -LiteralPath $paths.Mwa)) {
        throw (New-WinflaskError 'IISNotInstalled' "IIS is not installed: $($paths.Apphost) not found")
    }
    return $paths
}

function Get-ServerManager {
    # Loads MWA from inetsrv (not the WebAdministration module: its cmdlets mangle {...} values).
    param([string]$MwaPath)
    $null = [System.Reflection.Assembly]::LoadFrom($MwaPath)
    return New-Object Microsoft.Web.Administration.ServerManager
}

function Get-Fingerprint {
    # SHA-256 (lower-case hex) of a config file, $null when the file does not exist yet.
    param([string]$Path)
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $null }
    return (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

function Find-SectionDefinition {
    # Walks <configSections> (RootSectionGroup) to the <section> declaration; $null when absent.
    param($Config, [string]$SectionPath)
    $parts = $SectionPath.Split('/')
    $group = $Config.RootSectionGroup
    $prefix = ''
    for ($i = 0; $i -lt $parts.Length - 1; $i++) {
        $prefix = if ($prefix) { "$prefix/$($parts[$i])" } else { $parts[$i] }
        $next = $null
        foreach ($candidate in $group.SectionGroups) {
            if ($candidate.Name -eq $parts[$i] -or $candidate.Name -eq $prefix) { $next = $candidate; break }
        }
        if ($null -eq $next) { return $null }
        $group = $next
    }
    foreach ($definition in $group.Sections) {
        if ($definition.Name -eq $parts[-1] -or $definition.Name -eq $SectionPath) { return $definition }
    }
    return $null
}

function Resolve-PhysicalPath {
    # Physical folder of a virtual path of a site, from system.applicationHost/sites
    # (longest matching application, then longest matching virtual directory).
    param($Site, [string]$VirtualPath)
    $app = $null
    foreach ($candidate in $Site.Applications) {
        $prefix = $candidate.Path.TrimEnd('/')
        if ($VirtualPath -eq $candidate.Path -or $prefix -eq '' -or $VirtualPath -eq $prefix -or $VirtualPath.StartsWith("$prefix/", [System.StringComparison]::OrdinalIgnoreCase)) {
            if ($null -eq $app -or $candidate.Path.Length -gt $app.Path.Length) { $app = $candidate }
        }
    }
    if ($null -eq $app) { return $null }
    $rest = $VirtualPath.Substring($app.Path.TrimEnd('/').Length)
    if ($rest -eq '') { $rest = '/' }
    $vdir = $null
    foreach ($candidate in $app.VirtualDirectories) {
        $prefix = $candidate.Path.TrimEnd('/')
        if ($rest -eq $candidate.Path -or $prefix -eq '' -or $rest -eq $prefix -or $rest.StartsWith("$prefix/", [System.StringComparison]::OrdinalIgnoreCase)) {
            if ($null -eq $vdir -or $candidate.Path.Length -gt $vdir.Path.Length) { $vdir = $candidate }
        }
    }
    if ($null -eq $vdir) { return $null }
    $tail = $rest.Substring($vdir.Path.TrimEnd('/').Length).Trim('/')
    $physical = [System.Environment]::ExpandEnvironmentVariables($vdir.PhysicalPath).TrimEnd('\')
    if ($tail) { $physical = Join-Path $physical ($tail.Replace('/', '\')) }
    return @{ Physical = $physical; IsApplication = ($rest -eq '/') }
}

function Resolve-Address {
    # pspath + location -> which file a write lands in, which files a read consults, the site/path.
    param($Manager, [string]$ApphostFile, [string]$PsPath, [string]$Location)
    if (-not $PsPath.StartsWith($ApphostPrefix, [System.StringComparison]::OrdinalIgnoreCase)) {
        throw (New-WinflaskError 'PathNotFound' "pspath '$PsPath' must start with $ApphostPrefix" @{ pspath = $PsPath })
    }
    $rest = $PsPath.Substring($ApphostPrefix.Length).Trim('/')
    $address = @{ Site = $null; VirtualPath = '/'; File = $ApphostFile; Files = @($ApphostFile); IsApplication = $true }
    if ($rest -eq '') { return $address }
    if ($Location) {
        throw (New-WinflaskError 'PathNotFound' "location '$Location' is only valid with pspath $ApphostPrefix" @{ pspath = $PsPath })
    }
    $siteName, $pathParts = $rest.Split('/')
    $site = $null
    foreach ($candidate in $Manager.Sites) { if ($candidate.Name -eq $siteName) { $site = $candidate; break } }
    if ($null -eq $site) {
        throw (New-WinflaskError 'SiteNotFound' "site '$siteName' does not exist" @{ site = $siteName })
    }
    $virtualPath = '/' + (@($pathParts) -join '/')
    $address.Site = $site.Name
    $address.VirtualPath = $virtualPath
    # Every web.config from the site root down to the target path is consulted by a read.
    $files = New-Object System.Collections.Generic.List[string]
    $files.Add($ApphostFile)
    $walk = ''
    $steps = @('') + @($pathParts | Where-Object { $_ })
    foreach ($step in $steps) {
        $walk = if ($step) { "$walk/$step" } else { '/' }
        $walk = $walk.Replace('//', '/')
        $resolved = Resolve-PhysicalPath $site $walk
        if ($null -eq $resolved -or -not (Test-Path -LiteralPath $resolved.Physical -PathType Container)) {
            throw (New-WinflaskError 'PathNotFound' "path '$walk' of site '$($site.Name)' has no physical folder" @{ site = $site.Name; path = $walk })
        }
        $webConfig = Join-Path $resolved.Physical 'web.config'
        if (-not $files.Contains($webConfig)) { $files.Add($webConfig) }
        $address.File = $webConfig
        $address.IsApplication = $resolved.IsApplication
    }
    $address.Files = $files.ToArray()
    return $address
}

function Get-ConfigSection {
    # The MWA section at an address: APPHOST (+ <location>) or a site/app web.config.
    param($Manager, $Address, [string]$SectionPath, [string]$Location)
    if ($null -eq $Address.Site) {
        $config = $Manager.GetApplicationHostConfiguration()
        if ($Location) { return $config.GetSection($SectionPath, $Location) }
        return $config.GetSection($SectionPath)
    }
    return $Manager.GetWebConfiguration($Address.Site, $Address.VirtualPath).GetSection($SectionPath)
}

function Test-SectionLocked {
    # True when a write at this address would be refused: the section is locked for the path
    # (overrideModeDefault/overrideMode Deny -> HRESULT 0x80070021) or allowDefinition forbids it.
    param($Manager, $Definition, $Section, $Address, [string]$SectionPath, [string]$Location)
    $allow = "$($Definition.AllowDefinition)"
    if ($allow -eq 'MachineOnly' -or $allow -eq 'MachineToWebRoot') { return $true }
    if ($null -eq $Address.Site) {
        if (-not $Location) { return $false }
        # <location path="Site"> in applicationHost.config: overrideModeDefault does not apply
        # (same file), but AppHostOnly sections and allowLocation="false" do.
        if ($allow -eq 'AppHostOnly') { return $true }
        if ("$($Definition.AllowLocation)" -eq 'false') { return $true }
        return $false
    }
    if ($allow -eq 'AppHostOnly') { return $true }
    if ($allow -eq 'MachineToApplication' -and -not $Address.IsApplication) { return $true }
    if ($Section.IsLocked) { return $true }
    # The mode applicationHost.config gives this path (overrideModeDefault + <location overrideMode>).
    $locationPath = ($Address.Site + $Address.VirtualPath).TrimEnd('/')
    $apphostSection = $Manager.GetApplicationHostConfiguration().GetSection($SectionPath, $locationPath)
    return ("$($apphostSection.OverrideModeEffective)" -eq 'Deny')
}

function Format-TimeSpan {
    # "hh:mm:ss", "d.hh:mm:ss" past a day, fraction only when present without trailing zeros.
    param([TimeSpan]$Value)
    $text = $Value.ToString('c')
    if ($text.Contains('.') -and $text.LastIndexOf('.') -gt $text.LastIndexOf(':')) { $text = $text.TrimEnd('0').TrimEnd('.') }
    return $text
}

function ConvertTo-JsonValue {
    # Typed value of an attribute as the contract wants it (enum/flags names, timeSpan text).
    param($Value, $Schema)
    if ($null -eq $Value) { return $null }
    switch ("$($Schema.Type)") {
        'enum' {
            if ($Value -is [string]) { return $Value }
            foreach ($entry in $Schema.GetEnumValues()) { if ([long]$entry.Value -eq [long]$Value) { return $entry.Name } }
            return [long]$Value
        }
        'flags' {
            if ($Value -is [string]) { return $Value }
            $number = [long]$Value
            $names = New-Object System.Collections.Generic.List[string]
            foreach ($entry in $Schema.GetEnumValues()) {
                $bit = [long]$entry.Value
                if ($number -eq 0 -and $bit -eq 0) { return $entry.Name }
                if ($bit -ne 0 -and ($number -band $bit) -eq $bit) { $names.Add($entry.Name) }
            }
            return ($names -join ', ')
        }
        'timeSpan' { return Format-TimeSpan ([TimeSpan]$Value) }
        'bool' { return [bool]$Value }
        default { return $Value }
    }
}

function ConvertTo-NodeJson {
    # One ConfigurationElement as the node JSON of docs/architecture.md 3.2 (recursive).
    param($Element)
    $attributes = [ordered]@{}
    foreach ($attribute in $Element.Attributes) {
        $isDefault = [bool]$attribute.IsInheritedFromDefaultValue
        $value = ConvertTo-JsonValue $attribute.Value $attribute.Schema
        if ($isDefault -and $null -eq $attribute.Schema.DefaultValue) { $value = $null }
        $attributes[$attribute.Name] = [ordered]@{ value = $value; is_default = $isDefault }
    }
    $children = [ordered]@{}
    foreach ($child in $Element.ChildElements) {
        $children[$child.ElementTagName] = ConvertTo-NodeJson $child
    }
    $items = $null
    if ($null -ne $Element.Schema.CollectionSchema) {
        $items = New-Object System.Collections.Generic.List[object]
        foreach ($item in $Element.GetCollection()) { $items.Add((ConvertTo-NodeJson $item)) }
    }
    return [ordered]@{
        name = $Element.ElementTagName
        attributes = $attributes
        children = $children
        items = $items
        locally_stored = [bool]$Element.IsLocallyStored
    }
}

function Get-Field {
    # A property of a ConvertFrom-Json object, or $Default when it is missing.
    param($Object, [string]$Name, $Default = $null)
    if ($null -eq $Object) { return $Default }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) { return $Default }
    return $property.Value
}

try {
    $Ansible.Changed = $false
    $requestData = ConvertFrom-Json -InputObject $Request
    $iis = Get-IisPaths
    $manager = Get-ServerManager $iis.Mwa
    $apphostConfig = $manager.GetApplicationHostConfiguration()
    $fingerprint = [ordered]@{}
    $sections = New-Object System.Collections.Generic.List[object]
    foreach ($read in @(Get-Field $requestData 'reads' @())) {
        $sectionPath = [string](Get-Field $read 'section' '')
        $psPath = [string](Get-Field $read 'pspath' $ApphostPrefix)
        $location = [string](Get-Field $read 'location' '')
        $address = Resolve-Address $manager $iis.Apphost $psPath $location
        $definition = Find-SectionDefinition $apphostConfig $sectionPath
        if ($null -eq $definition) {
            throw (New-WinflaskError 'SectionNotRegistered' "The configuration section '$sectionPath' cannot be read because it is missing a section declaration" @{ section = $sectionPath })
        }
        $section = Get-ConfigSection $manager $address $sectionPath $location
        $locked = Test-SectionLocked $manager $definition $section $address $sectionPath $location
        foreach ($file in $address.Files) { $fingerprint[$file] = Get-Fingerprint $file }
        $sections.Add([ordered]@{
            section = $sectionPath
            pspath = $psPath
            location = $location
            file = $address.File
            locked = [bool]$locked
            element = ConvertTo-NodeJson $section
        })
    }
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ fingerprint = $fingerprint; sections = $sections }) -Depth 20 -Compress
}
catch {
    $Ansible.Failed = $true
    $Ansible.Result = ConvertTo-Json -InputObject (Get-ErrorPayload $_) -Depth 20 -Compress
}
