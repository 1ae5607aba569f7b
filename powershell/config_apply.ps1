# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.4.
# winflask-script: config_apply
<#
Applies a list of IIS configuration operations (set, reset, add, remove, clear) through ONE
Microsoft.Web.Administration ServerManager and ONE CommitChanges(), after checking that no config
file moved since the read (fingerprint) and copying every file it will touch to
%ProgramData%\winflask\backup\<yyyyMMdd-HHmmss-fff>\. Result in $Ansible.Result:
  {"changed": true, "backups": ["C:\\ProgramData\\winflask\\backup\\...\\applicationHost.config"]}
Nothing is written when any operation fails (errors are raised before CommitChanges).
A write script: no SupportsShouldProcess, so win_powershell skips it in check mode; the Python
side never calls it in check mode anyway.
Self-contained on purpose: the transport sends one script text. Helper functions shared with
config_read.ps1 are kept textually identical (tests/unit/test_powershell_contract.py checks it).
#>
[CmdletBinding()]
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

function Get-Field {
    # A property of a ConvertFrom-Json object, or $Default when it is missing.
    param($Object, [string]$Name, $Default = $null)
    if ($null -eq $Object) { return $Default }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) { return $Default }
    return $property.Value
}


function Find-Attribute {
    # The attribute $Name of $Element; UnknownAttribute when the schema has no such attribute.
    param($Element, [string]$Name)
    foreach ($attribute in $Element.Attributes) { if ($attribute.Name -ceq $Name) { return $attribute } }
    throw (New-WinflaskError 'UnknownAttribute' "Unrecognized attribute '$Name'. Note that attribute names are case-sensitive." @{ attribute = $Name; element = $Element.ElementTagName })
}

function Get-ChildElementChecked {
    # A (non-collection) child element declared by the schema; UnknownElement otherwise.
    param($Element, [string]$Name)
    foreach ($schema in $Element.Schema.ChildElementSchemas) {
        if ($schema.Name -ceq $Name) { return $Element.GetChildElement($Name) }
    }
    throw (New-WinflaskError 'UnknownElement' "Unrecognized element '$Name' under '$($Element.ElementTagName)'" @{ element = $Name; parent = $Element.ElementTagName })
}

function Get-CollectionChecked {
    # The element's default collection; UnknownElement when its schema declares none.
    param($Element)
    if ($null -eq $Element.Schema.CollectionSchema) {
        throw (New-WinflaskError 'UnknownElement' "Element '$($Element.ElementTagName)' has no collection" @{ element = $Element.ElementTagName })
    }
    # The comma keeps PowerShell from unrolling the (enumerable) collection on return.
    return , $Element.GetCollection()
}

function Test-SameValue {
    # Compares two attributes the way the config system compares keys (schema case sensitivity).
    param($Left, $Right)
    $a = [string](ConvertTo-JsonValue $Left.Value $Left.Schema)
    $b = [string](ConvertTo-JsonValue $Right.Value $Right.Schema)
    if ($Left.Schema.IsCaseSensitive) { return ($a -ceq $b) }
    return ($a -eq $b)
}

function Find-Item {
    # The collection item of $Element whose attributes match every key of $Key; $null if none.
    param($Element, $Key)
    $collection = Get-CollectionChecked $Element
    foreach ($item in $collection) {
        $match = $true
        foreach ($property in $Key.PSObject.Properties) {
            $attribute = Find-Attribute $item $property.Name
            $have = [string](ConvertTo-JsonValue $attribute.Value $attribute.Schema)
            $want = [string]$property.Value
            if ($attribute.Schema.IsCaseSensitive) { $same = ($have -ceq $want) } else { $same = ($have -eq $want) }
            if (-not $same) { $match = $false; break }
        }
        if ($match) { return $item }
    }
    return $null
}

function Resolve-ElementPath {
    # Walks "path" from the section: "child" steps and {"item": {key attrs}} steps.
    param($Element, [object[]]$Path)
    $current = $Element
    foreach ($step in $Path) {
        if ($step -is [string]) {
            $current = Get-ChildElementChecked $current $step
            continue
        }
        $key = Get-Field $step 'item'
        if ($null -eq $key) {
            throw (New-WinflaskError 'UnknownElement' "path step must be a child name or {`"item`": {...}}" @{ step = "$step" })
        }
        $found = Find-Item $current $key
        if ($null -eq $found) {
            throw (New-WinflaskError 'ItemNotFound' "The collection entry $(ConvertTo-Json -InputObject $key -Compress) does not exist in '$($current.ElementTagName)'" @{ key = $key })
        }
        if (-not $found.IsLocallyStored) {
            # An item inherited from a parent level cannot be changed here (it lives in another file).
            throw (New-WinflaskError 'ItemNotFound' "The collection entry $(ConvertTo-Json -InputObject $key -Compress) is inherited from a parent level; it cannot be changed at this path" @{ key = $key; inherited = $true })
        }
        $current = $found
    }
    return $current
}

function New-InvalidValue {
    param($Schema, $Value, [string]$Why)
    return (New-WinflaskError 'InvalidValue' "Invalid value '$Value' for attribute '$($Schema.Name)' ($($Schema.Type)): $Why" @{ attribute = $Schema.Name })
}

function ConvertFrom-JsonValue {
    # A plain JSON value -> the CLR value MWA stores for the schema type (enum/flags names -> numbers).
    param($Value, $Schema)
    $text = [string]$Value
    switch ("$($Schema.Type)") {
        'bool' {
            if ($Value -is [bool]) { return $Value }
            if ($text -eq 'true') { return $true }
            if ($text -eq 'false') { return $false }
            throw (New-InvalidValue $Schema $Value 'expected true or false')
        }
        'enum' {
            foreach ($entry in $Schema.GetEnumValues()) {
                if ($entry.Name -eq $text -or "$($entry.Value)" -eq $text) { return [int]$entry.Value }
            }
            $names = ($Schema.GetEnumValues() | ForEach-Object { $_.Name }) -join ', '
            throw (New-InvalidValue $Schema $Value "expected one of $names")
        }
        'flags' {
            if ($text -match '^\d+$') { return [int]$text }
            $number = 0
            foreach ($part in $text.Split(',')) {
                $name = $part.Trim()
                if (-not $name) { continue }
                $known = $null
                foreach ($entry in $Schema.GetEnumValues()) { if ($entry.Name -eq $name) { $known = $entry; break } }
                if ($null -eq $known) { throw (New-InvalidValue $Schema $Value "unknown flag '$name'") }
                $number = $number -bor [int]$known.Value
            }
            return [int]$number
        }
        'timeSpan' {
            try { return [TimeSpan]::Parse($text, [System.Globalization.CultureInfo]::InvariantCulture) }
            catch { throw (New-InvalidValue $Schema $Value 'expected [d.]hh:mm:ss') }
        }
        default {
            $integerTypes = @{ uint = [uint32]; int = [int32]; int64 = [int64]; long = [int64] }
            $type = "$($Schema.Type)"
            if ($integerTypes.ContainsKey($type)) {
                if ($Value -is [bool] -or $text -notmatch '^-?\d+$') { throw (New-InvalidValue $Schema $Value 'expected an integer') }
                # -as gives $null (not an exception) when the number does not fit the type.
                $number = $text -as $integerTypes[$type]
                if ($null -eq $number) { throw (New-InvalidValue $Schema $Value 'out of range') }
                return $number
            }
            if ($null -eq $Value) { return '' }
            return $text
        }
    }
}

function Set-AttributeTyped {
    # Sets one attribute; MWA runs the schema validation (ranges, nonEmptyString, ...) here.
    param($Element, [string]$Name, $Value)
    $attribute = Find-Attribute $Element $Name
    $typed = ConvertFrom-JsonValue $Value $attribute.Schema
    try { $Element.SetAttributeValue($Name, $typed) }
    catch {
        $payload = Get-ErrorPayload $_
        if ($payload.error.code -eq 'SectionLocked') { throw }
        throw (New-InvalidValue $attribute.Schema $Value $payload.error.message)
    }
}

function Set-ElementFromSpec {
    # Applies an element spec {"attributes": {plain values}, "children": {...}, "items": [...]}.
    param($Element, $Spec)
    $attributes = Get-Field $Spec 'attributes'
    if ($null -ne $attributes) {
        foreach ($property in $attributes.PSObject.Properties) { Set-AttributeTyped $Element $property.Name $property.Value }
    }
    $children = Get-Field $Spec 'children'
    if ($null -ne $children) {
        foreach ($property in $children.PSObject.Properties) {
            Set-ElementFromSpec (Get-ChildElementChecked $Element $property.Name) $property.Value
        }
    }
    foreach ($itemSpec in @(Get-Field $Spec 'items' @())) { Add-CollectionItem $Element $itemSpec $null }
}

function Assert-NoDuplicate {
    # DuplicateKey when an item with the same unique key (or combined key) is already there.
    param($Collection, $New)
    $keys = @($New.Attributes | Where-Object { $_.Schema.IsUniqueKey })
    if ($keys.Count -eq 0) { $keys = @($New.Attributes | Where-Object { $_.Schema.IsCombinedKey }) }
    if ($keys.Count -eq 0) { return }
    foreach ($item in $Collection) {
        if ($item.ElementTagName -ne $New.ElementTagName) { continue }
        $same = $true
        foreach ($key in $keys) {
            if (-not (Test-SameValue (Find-Attribute $item $key.Name) $key)) { $same = $false; break }
        }
        if (-not $same) { continue }
        $names = ($keys | ForEach-Object { $_.Name }) -join ', '
        $values = ($keys | ForEach-Object { [string](ConvertTo-JsonValue $_.Value $_.Schema) }) -join ', '
        if ($keys.Count -eq 1) {
            $message = "Cannot add duplicate collection entry of type '$($New.ElementTagName)' with unique key attribute '$names' set to '$values'"
        }
        else {
            $message = "Cannot add duplicate collection entry of type '$($New.ElementTagName)' with combined key attributes '$names' respectively set to '$values'"
        }
        throw (New-WinflaskError 'DuplicateKey' $message @{ element = $New.ElementTagName })
    }
}

function Add-CollectionItem {
    # Creates an item (with nested children and items) and adds it at $Index (null = append).
    param($Parent, $Spec, $Index)
    $collection = Get-CollectionChecked $Parent
    $tag = [string](Get-Field $Spec 'name' '')
    $allowed = @("$($Parent.Schema.CollectionSchema.AddElementNames)".Split(',') | ForEach-Object { $_.Trim() })
    if ($tag -and $allowed -notcontains $tag) {
        throw (New-WinflaskError 'UnknownElement' "Unrecognized element '$tag' in collection of '$($Parent.ElementTagName)' (expected $($allowed -join ', '))" @{ element = $tag })
    }
    if ($tag) { $new = $collection.CreateElement($tag) } else { $new = $collection.CreateElement() }
    Set-ElementFromSpec $new $Spec
    foreach ($attribute in $new.Attributes) {
        if ($attribute.Schema.IsRequired -and $attribute.IsInheritedFromDefaultValue) {
            throw (New-WinflaskError 'InvalidValue' "Missing required attribute '$($attribute.Name)'" @{ attribute = $attribute.Name; element = $new.ElementTagName })
        }
    }
    Assert-NoDuplicate $collection $new
    if ($null -eq $Index -or "$Index" -eq "$($collection.Count)") {
        $null = $collection.Add($new)
        return
    }
    if ($Index -is [bool] -or "$Index" -notmatch '^\d+$' -or [int]$Index -ge $collection.Count) {
        throw (New-WinflaskError 'InvalidValue' "index $Index is outside the collection (0..$($collection.Count))" @{ index = $Index })
    }
    $position = [int]$Index
    if (-not $collection[$position].IsLocallyStored) {
        throw (New-WinflaskError 'InvalidValue' "index $position is an item inherited from a parent level; new items can only go among this level's items" @{ index = $position })
    }
    $null = $collection.AddAt($position, $new)
}

function Invoke-Operation {
    # One operation against the shared ServerManager (in memory; nothing is saved here).
    # Adds the file the operation changes to $Touched.
    param($Manager, [string]$ApphostFile, $Operation, $Touched)
    $apphostConfig = $Manager.GetApplicationHostConfiguration()
    $op = [string](Get-Field $Operation 'op' '')
    $sectionPath = [string](Get-Field $Operation 'section' '')
    $psPath = [string](Get-Field $Operation 'pspath' $ApphostPrefix)
    $location = [string](Get-Field $Operation 'location' '')
    $address = Resolve-Address $Manager $ApphostFile $psPath $location
    $definition = Find-SectionDefinition $apphostConfig $sectionPath
    if ($null -eq $definition) {
        throw (New-WinflaskError 'SectionNotRegistered' "The configuration section '$sectionPath' cannot be read because it is missing a section declaration" @{ section = $sectionPath })
    }
    $section = Get-ConfigSection $Manager $address $sectionPath $location
    if (Test-SectionLocked $Manager $definition $section $address $sectionPath $location) {
        # The text IIS shows for HRESULT 0x80070021 (HTTP 500.19).
        $message = 'This configuration section cannot be used at this path. This happens when the section is locked at a parent level. Locking is either by default (overrideModeDefault="Deny"), or set explicitly by a location tag with overrideMode="Deny" or the legacy allowOverride="false".'
        $reason = "allowDefinition=$($definition.AllowDefinition), overrideModeDefault=$($definition.OverrideModeDefault)"
        throw (New-WinflaskError 'SectionLocked' $message @{ section = $sectionPath; pspath = $psPath; location = $location; file = $address.File; reason = $reason; hresult = '0x80070021' })
    }
    $target = Resolve-ElementPath $section @(Get-Field $Operation 'path' @())
    switch ($op) {
        'set' {
            $attributes = Get-Field $Operation 'attributes'
            foreach ($property in $attributes.PSObject.Properties) { Set-AttributeTyped $target $property.Name $property.Value }
        }
        'reset' {
            # Deleting the attribute makes it fall back to the schema (or parent) value.
            foreach ($name in @(Get-Field $Operation 'attributes' @())) { (Find-Attribute $target ([string]$name)).Delete() }
        }
        'add' {
            Add-CollectionItem $target (Get-Field $Operation 'element') (Get-Field $Operation 'index')
        }
        'remove' {
            $key = Get-Field $Operation 'key'
            $item = Find-Item $target $key
            if ($null -eq $item) {
                throw (New-WinflaskError 'ItemNotFound' "Cannot find the collection entry $(ConvertTo-Json -InputObject $key -Compress) in '$($target.ElementTagName)'" @{ key = $key })
            }
            (Get-CollectionChecked $target).Remove($item)
        }
        'clear' {
            (Get-CollectionChecked $target).Clear()
        }
        default {
            throw (New-WinflaskError 'InvalidValue' "unknown operation '$op' (expected set, reset, add, remove, clear)" @{ op = $op })
        }
    }
    if (-not $Touched.Contains($address.File)) { $Touched.Add($address.File) }
}

function Backup-ConfigFile {
    # Copies an existing config file below $Root, keeping its full path (drive letter without ':').
    param([string]$Root, [string]$Path)
    $target = Join-Path $Root ($Path.Replace(':', ''))
    $null = New-Item -ItemType Directory -Path (Split-Path -Parent $target) -Force
    Copy-Item -LiteralPath $Path -Destination $target -Force
    return $target
}

try {
    $Ansible.Changed = $false
    $requestData = ConvertFrom-Json -InputObject $Request
    $iis = Get-IisPaths
    $manager = Get-ServerManager $iis.Mwa

    # 1. Refuse when a config file changed since the read (winflask's own guard).
    $expected = Get-Field $requestData 'fingerprint'
    if ($null -ne $expected) {
        foreach ($property in $expected.PSObject.Properties) {
            $actual = Get-Fingerprint $property.Name
            if ("$actual" -ne "$($property.Value)") {
                throw (New-WinflaskError 'FingerprintMismatch' "The configuration file '$($property.Name)' changed since it was read" @{ file = $property.Name; expected = $property.Value; actual = $actual })
            }
        }
    }

    # 2. Every operation against the one ServerManager, in memory.
    $touched = New-Object System.Collections.Generic.List[string]
    foreach ($operation in @(Get-Field $requestData 'operations' @())) {
        Invoke-Operation $manager $iis.Apphost $operation $touched
    }

    # 3. Back up every file that will change and exists already (a new web.config has nothing to keep).
    $backups = New-Object System.Collections.Generic.List[string]
    if ((Get-Field $requestData 'backup' $true) -and $touched.Count -gt 0) {
        $stamp = Get-Date -Format 'yyyyMMdd-HHmmss-fff'
        $root = Join-Path $env:ProgramData "winflask\backup\$stamp"
        for ($suffix = 1; Test-Path -LiteralPath $root; $suffix++) { $root = Join-Path $env:ProgramData "winflask\backup\$stamp-$suffix" }
        foreach ($file in $touched) {
            if (Test-Path -LiteralPath $file -PathType Leaf) { $backups.Add((Backup-ConfigFile $root $file)) }
        }
    }

    # 4. One commit for everything.
    if ($touched.Count -gt 0) {
        $manager.CommitChanges()
        $Ansible.Changed = $true
    }
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ changed = ($touched.Count -gt 0); backups = $backups }) -Depth 20 -Compress
}
catch {
    $Ansible.Failed = $true
    $Ansible.Result = ConvertTo-Json -InputObject (Get-ErrorPayload $_) -Depth 20 -Compress
}
