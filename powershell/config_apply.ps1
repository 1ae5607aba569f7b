# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.4.
# winflask-script: config_apply
<#
Applies a list of IIS configuration operations (set, reset, add, remove, clear) through ONE
Microsoft.Web.Administration ServerManager and ONE CommitChanges(), after copying every file it will
touch to %ProgramData%\winflask\backup\<yyyyMMdd-HHmmss-fff>\ (a folder only SYSTEM and Administrators
may open; the newest backup_keep folders are kept) and checking, immediately before the commit, that
no config file moved since the read (fingerprint). Result in $Ansible.Result:
  {"changed": true, "backups": ["C:\\ProgramData\\winflask\\backup\\...\\applicationHost.config"]}
Nothing is written when any operation fails (errors are raised before CommitChanges).
A write script: no SupportsShouldProcess, so win_powershell skips it in check mode; the Python
side never calls it in check mode anyway.
Helpers shared with other scripts live in powershell/common/ and are inlined by the transport at
each '# winflask-include:' line (docs/powershell.md).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string]$Request
)
# winflask-include: common/errors.ps1
# winflask-include: common/request.ps1
# winflask-include: common/iis.ps1
# winflask-include: common/configsource.ps1

$ErrorActionPreference = 'Stop'
# PS 5.1: ETS type data on System.Array can make ConvertTo-Json emit {"value": [...], "Count": n}.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue -WhatIf:$false

$ApphostPrefix = 'MACHINE/WEBROOT/APPHOST'


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
        # The comma keeps PowerShell from unrolling the element should it be enumerable (about_Return).
        if ($schema.Name -ceq $Name) { return , $Element.GetChildElement($Name) }
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
        if ($match) { return , $item }
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
    return , $current
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

function Get-OpenConfiguration {
    # The Configuration object of an address, opened once per apply: every operation on the same file goes
    # through the same object, so a later operation sees what an earlier one changed in memory (a remove
    # then an add of the same key). Keys: '' = applicationHost.config, else 'Site|/path' (case-insensitive).
    param($Manager, $Address, $Configurations)
    $key = ''
    if ($null -ne $Address.Site) { $key = "$($Address.Site)|$($Address.VirtualPath)" }
    if (-not $Configurations.ContainsKey($key)) {
        if ($key -eq '') { $Configurations[$key] = $Manager.GetApplicationHostConfiguration() }
        else { $Configurations[$key] = $Manager.GetWebConfiguration($Address.Site, $Address.VirtualPath) }
    }
    return $Configurations[$key]
}

function Invoke-Operation {
    # One operation against the shared ServerManager (in memory; nothing is saved here).
    # Adds the file the operation changes to $Touched. $Configurations: the apply's open Configuration objects.
    param($Manager, [string]$ApphostFile, $Operation, $Touched, $Configurations)
    $apphostConfig = Get-OpenConfiguration $Manager @{ Site = $null } $Configurations
    $op = [string](Get-Field $Operation 'op' '')
    $sectionPath = [string](Get-Field $Operation 'section' '')
    $psPath = [string](Get-Field $Operation 'pspath' $ApphostPrefix)
    $location = [string](Get-Field $Operation 'location' '')
    $address = Resolve-Address $Manager $ApphostFile $psPath $location
    $definition = Find-SectionDefinition $apphostConfig $sectionPath
    if ($null -eq $definition) {
        throw (New-WinflaskError 'SectionNotRegistered' "The configuration section '$sectionPath' cannot be read because it is missing a section declaration" @{ section = $sectionPath })
    }
    $config = Get-OpenConfiguration $Manager $address $Configurations
    if ($null -eq $address.Site -and $location) { $section = $config.GetSection($sectionPath, $location) }
    else { $section = $config.GetSection($sectionPath) }
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
        'override_mode' {
            # Feature delegation: MWA stores ConfigurationSection.OverrideMode as <location path="X"
            # overrideMode="Allow|Deny"> in applicationHost.config (Inherit: no overrideMode).
            $mode = [string](Get-Field $Operation 'mode' '')
            if (@('Inherit', 'Allow', 'Deny') -cnotcontains $mode) {
                throw (New-WinflaskError 'InvalidValue' "overrideMode must be one of Inherit, Allow, Deny, got '$mode'" @{ mode = $mode })
            }
            if ($null -ne $address.Site) {
                throw (New-WinflaskError 'InvalidValue' "overrideMode is set in applicationHost.config: use pspath $ApphostPrefix with a location" @{ pspath = $psPath })
            }
            $section.OverrideMode = $mode
        }
        default {
            throw (New-WinflaskError 'InvalidValue' "unknown operation '$op' (expected set, reset, add, remove, clear, override_mode)" @{ op = $op })
        }
    }
    # configSource: MWA writes the referenced file; the referencing one is backed up too (whether MWA also
    # rewrites it is UNCONFIRMED, docs/powershell.md "configSource").
    foreach ($file in @($address.File, (Get-SectionFile $address $sectionPath $location))) {
        if (-not $Touched.Contains($file)) { $Touched.Add($file) }
    }
}

function Backup-ConfigFile {
    # Copies an existing config file below $Root, keeping its full path (drive letter without ':').
    # A shared applicationHost.config (\\server\share\..., redirection.config) goes below <stamp>\UNC\server\share.
    param([string]$Root, [string]$Path)
    if ($Path.StartsWith('\\')) { $relative = 'UNC\' + $Path.Substring(2) } else { $relative = $Path.Replace(':', '') }
    $target = Join-Path $Root $relative
    $null = New-Item -ItemType Directory -Path (Split-Path -Parent $target) -Force
    Copy-Item -LiteralPath $Path -Destination $target -Force
    return $target
}

function Initialize-BackupRoot {
    # %ProgramData%\winflask\backup gets the access rules of the IIS config folder: SYSTEM and
    # Administrators full control, inherited by every stamp folder and copy below it, and nothing
    # inherited from %ProgramData% (where Users may read): applicationHost.config can hold encrypted
    # credentials. Only the access rules are written (not the owner). A folder whose rules are already
    # protected is left as it is (docs/powershell.md, "Backups").
    param([string]$Path)
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) { $null = New-Item -ItemType Directory -Path $Path -Force }
    $folder = Get-Item -LiteralPath $Path
    if ($folder.GetAccessControl([System.Security.AccessControl.AccessControlSections]::Access).AreAccessRulesProtected) { return }
    $security = New-Object System.Security.AccessControl.DirectorySecurity
    $security.SetAccessRuleProtection($true, $false)
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    $propagation = [System.Security.AccessControl.PropagationFlags]::None
    $allow = [System.Security.AccessControl.AccessControlType]::Allow
    $full = [System.Security.AccessControl.FileSystemRights]::FullControl
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $identity = New-Object System.Security.Principal.SecurityIdentifier $sid
        $security.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule $identity, $full, $inherit, $propagation, $allow))
    }
    $folder.SetAccessControl($security)
}

function Remove-OldBackup {
    # Keeps the newest $Keep stamp folders (yyyyMMdd-HHmmss-fff[-n]) under $Base; 0 keeps all.
    param([string]$Base, [int]$Keep)
    if ($Keep -le 0) { return }
    $stamps = @(Get-ChildItem -LiteralPath $Base -Directory | Where-Object { $_.Name -match '^\d{8}-\d{6}-\d{3}(-\d+)?$' } |
            Sort-Object @{ Expression = { $_.Name.Substring(0, 19) } }, @{ Expression = { if ($_.Name.Length -gt 20) { [int]$_.Name.Substring(20) } else { 0 } } })
    for ($i = 0; $i -lt $stamps.Count - $Keep; $i++) { Remove-Item -LiteralPath $stamps[$i].FullName -Recurse -Force }
}

function Get-MovedFile {
    # The files of the read whose content is no longer what the read saw.
    param($Expected)
    $moved = New-Object System.Collections.Generic.List[string]
    if ($null -eq $Expected) { return ,$moved.ToArray() }
    foreach ($property in $Expected.PSObject.Properties) {
        if ("$(Get-Fingerprint $property.Name)" -ne "$($property.Value)") { $moved.Add($property.Name) }
    }
    return ,$moved.ToArray()
}

function Assert-Fingerprint {
    # FingerprintMismatch when a config file is not what the read saw (winflask's own guard).
    param($Expected)
    if ($null -eq $Expected) { return }
    foreach ($property in $Expected.PSObject.Properties) {
        $actual = Get-Fingerprint $property.Name
        if ("$actual" -ne "$($property.Value)") {
            throw (New-WinflaskError 'FingerprintMismatch' "The configuration file '$($property.Name)' changed since it was read" @{ file = $property.Name; expected = $property.Value; actual = $actual })
        }
    }
}

$backups = New-Object System.Collections.Generic.List[string]
$movedAfterCommit = @()
try {
    $Ansible.Changed = $false
    $requestData = ConvertFrom-Json -InputObject $Request
    $iis = Get-IisPaths
    $keep = Get-Field $requestData 'backup_keep' 20
    if (-not ($keep -is [int] -or $keep -is [long]) -or $keep -lt 0) {
        throw (New-WinflaskError 'InvalidValue' "backup_keep must be a whole number >= 0, got '$keep'" @{ backup_keep = $keep })
    }
    $manager = Get-ServerManager $iis.Mwa

    # 1. Refuse early when a config file changed since the read: a stale request makes no backup.
    $expected = Get-Field $requestData 'fingerprint'
    Assert-Fingerprint $expected

    # 2. Every operation against the one ServerManager, in memory.
    $touched = New-Object System.Collections.Generic.List[string]
    $configurations = @{}
    foreach ($operation in @(Get-Field $requestData 'operations' @())) {
        Invoke-Operation $manager $iis.Apphost $operation $touched $configurations
    }

    # 3. Back up every file that will change and exists already (a new web.config has nothing to keep),
    #    then prune the oldest backups.
    if ((Get-Field $requestData 'backup' $true) -and $touched.Count -gt 0) {
        $base = Join-Path $env:ProgramData 'winflask\backup'
        Initialize-BackupRoot $base
        $stamp = Get-Date -Format 'yyyyMMdd-HHmmss-fff'
        $root = Join-Path $base $stamp
        for ($suffix = 1; Test-Path -LiteralPath $root; $suffix++) { $root = Join-Path $base "$stamp-$suffix" }
        foreach ($file in $touched) {
            if (Test-Path -LiteralPath $file -PathType Leaf) { $backups.Add((Backup-ConfigFile $root $file)) }
        }
        Remove-OldBackup $base ([int]$keep)
    }

    # 4. One commit for everything, the fingerprint checked again immediately before it. MWA itself
    #    refuses a commit when a file it loaded changed on disk since ("Cannot commit configuration
    #    changes because the file has changed on disk", System.IO.FileLoadException): a failed commit
    #    whose files moved is reported as FingerprintMismatch, any other failure as it is.
    if ($touched.Count -gt 0) {
        Assert-Fingerprint $expected
        try { $manager.CommitChanges() }
        catch {
            # MWA commits file by file: a commit that failed part-way may have written some of them
            # (UNCONFIRMED, docs/powershell.md). Whatever the cause, say which files now differ from the
            # read; the error stays what MWA said ("has changed on disk" -> FingerprintMismatch).
            $movedAfterCommit = Get-MovedFile $expected
            throw
        }
        $Ansible.Changed = $true
    }
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ changed = ($touched.Count -gt 0); backups = $backups }) -Depth 20 -Compress
}
catch {
    $Ansible.Failed = $true
    $payload = Get-ErrorPayload $_
    # A failure after the backup says where it is (the action's message names the files).
    if ($backups.Count -gt 0) { $payload.error['backups'] = $backups.ToArray() }
    if (@($movedAfterCommit).Count -gt 0) { $payload.error['moved'] = @($movedAfterCommit) }
    $Ansible.Result = ConvertTo-Json -InputObject $payload -Depth 20 -Compress
}
