# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.3.
# winflask-script: config_read
<#
Reads IIS configuration sections through Microsoft.Web.Administration (MWA) and returns them as
ONE JSON string in $Ansible.Result:
  {"fingerprint": {<file>: <sha256|null>}, "sections": [{section, pspath, location, file, locked, element}]}
Request: {"reads": [{"section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}]}
The fingerprint is taken before the sections are read and compared after: when a file moved
meanwhile the read starts over once, then fails with ConfigChanging (docs/powershell.md).
Read only. SupportsShouldProcess lets win_powershell run it in check mode.
Helpers shared with other scripts live in powershell/common/ and are inlined by the transport at
each '# winflask-include:' line (docs/powershell.md).
#>
[CmdletBinding(SupportsShouldProcess)]
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

function Get-AttributeSchemaJson {
    # {name: {type, choices, required, validation_type, validation_parameter}} of an element schema's
    # attributes (choices: enum/flags names; the validation of the schema file, e.g. integerRange "0,16383").
    param($ElementSchema)
    $attributes = [ordered]@{}
    foreach ($schema in $ElementSchema.AttributeSchemas) {
        $entry = [ordered]@{ type = "$($schema.Type)" }
        if ("$($schema.Type)" -eq 'enum' -or "$($schema.Type)" -eq 'flags') {
            $entry['choices'] = @($schema.GetEnumValues() | ForEach-Object { $_.Name })
        }
        if ($schema.IsRequired) { $entry['required'] = $true }
        if ("$($schema.ValidationType)") {
            $entry['validation_type'] = "$($schema.ValidationType)"
            $entry['validation_parameter'] = "$($schema.ValidationParameter)"
        }
        $attributes[$schema.Name] = $entry
    }
    return $attributes
}

function ConvertTo-SchemaJson {
    # The "schema" detail of a node (read entry "details": true): attribute types, the collection's
    # add element names, key attributes (unique, else combined) and item attribute types.
    param($ElementSchema)
    $collection = $null
    $collectionSchema = $ElementSchema.CollectionSchema
    if ($null -ne $collectionSchema) {
        $addNames = @("$($collectionSchema.AddElementNames)".Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ })
        $itemSchema = $collectionSchema.GetAddElementSchema($addNames[0])
        $keys = @($itemSchema.AttributeSchemas | Where-Object { $_.IsUniqueKey } | ForEach-Object { $_.Name })
        if ($keys.Count -eq 0) { $keys = @($itemSchema.AttributeSchemas | Where-Object { $_.IsCombinedKey } | ForEach-Object { $_.Name }) }
        $collection = [ordered]@{ add = $addNames; keys = $keys; attributes = (Get-AttributeSchemaJson $itemSchema) }
    }
    return [ordered]@{ attributes = (Get-AttributeSchemaJson $ElementSchema); collection = $collection }
}

function ConvertTo-NodeJson {
    # One ConfigurationElement as the node JSON of docs/architecture.md 3.2 (recursive).
    # $Details: each element and child element also gets "schema" (ConvertTo-SchemaJson); items do not.
    param($Element, [bool]$Details = $false)
    $attributes = [ordered]@{}
    foreach ($attribute in $Element.Attributes) {
        $isDefault = [bool]$attribute.IsInheritedFromDefaultValue
        $value = ConvertTo-JsonValue $attribute.Value $attribute.Schema
        if ($isDefault -and $null -eq $attribute.Schema.DefaultValue) { $value = $null }
        $attributes[$attribute.Name] = [ordered]@{ value = $value; is_default = $isDefault }
    }
    $children = [ordered]@{}
    foreach ($child in $Element.ChildElements) {
        $children[$child.ElementTagName] = ConvertTo-NodeJson $child $Details
    }
    $items = $null
    if ($null -ne $Element.Schema.CollectionSchema) {
        $items = New-Object System.Collections.Generic.List[object]
        foreach ($item in $Element.GetCollection()) { $items.Add((ConvertTo-NodeJson $item)) }
    }
    $node = [ordered]@{
        name = $Element.ElementTagName
        attributes = $attributes
        children = $children
        items = $items
        locally_stored = [bool]$Element.IsLocallyStored
    }
    if ($Details) { $node['schema'] = ConvertTo-SchemaJson $Element.Schema }
    return $node
}

function Read-Sections {
    # One pass: fingerprint, read, fingerprint again. applicationHost.config is hashed before MWA
    # loads it, each web.config after the addresses are resolved (from applicationHost.config only)
    # and before GetWebConfiguration opens it. Moved lists the files that changed meanwhile.
    param($Iis, [object[]]$Reads)
    $apphostBefore = Get-Fingerprint $Iis.Apphost
    $manager = Get-ServerManager $Iis.Mwa
    try {
        $apphostConfig = $manager.GetApplicationHostConfiguration()
        $wanted = New-Object System.Collections.Generic.List[object]
        $files = New-Object System.Collections.Generic.List[string]
        foreach ($read in $Reads) {
            $sectionPath = [string](Get-Field $read 'section' '')
            $psPath = [string](Get-Field $read 'pspath' $ApphostPrefix)
            $location = [string](Get-Field $read 'location' '')
            $address = Resolve-Address $manager $Iis.Apphost $psPath $location
            $definition = Find-SectionDefinition $apphostConfig $sectionPath
            if ($null -eq $definition) {
                throw (New-WinflaskError 'SectionNotRegistered' "The configuration section '$sectionPath' cannot be read because it is missing a section declaration" @{ section = $sectionPath })
            }
            # configSource: the referenced file holds the section; it is consulted, hashed and is the write's file.
            $wanted.Add(@{ Section = $sectionPath; PsPath = $psPath; Location = $location; Address = $address; Definition = $definition; File = (Get-SectionFile $address $sectionPath $location); Details = ((Get-Field $read 'details' $false) -eq $true) })
            foreach ($file in (Get-ConsultedFile $address $sectionPath)) { if (-not $files.Contains($file)) { $files.Add($file) } }
        }
        $fingerprint = [ordered]@{}
        foreach ($file in $files) {
            if ($file -eq $Iis.Apphost) { $fingerprint[$file] = $apphostBefore } else { $fingerprint[$file] = Get-Fingerprint $file }
        }
        $sections = New-Object System.Collections.Generic.List[object]
        foreach ($entry in $wanted) {
            $section = Get-ConfigSection $manager $entry.Address $entry.Section $entry.Location
            $locked = Test-SectionLocked $manager $entry.Definition $section $entry.Address $entry.Section $entry.Location
            $sectionJson = [ordered]@{
                section = $entry.Section
                pspath = $entry.PsPath
                location = $entry.Location
                file = $entry.File
                locked = [bool]$locked
                element = ConvertTo-NodeJson $section $entry.Details
            }
            if ($entry.Details) {
                # Feature delegation: MWA ConfigurationSection.OverrideMode / OverrideModeEffective (enum names).
                $sectionJson['override_mode'] = "$($section.OverrideMode)"
                $sectionJson['override_mode_effective'] = "$($section.OverrideModeEffective)"
            }
            $sections.Add($sectionJson)
        }
        $moved = New-Object System.Collections.Generic.List[string]
        foreach ($file in $files) {
            if ("$(Get-Fingerprint $file)" -ne "$($fingerprint[$file])") { $moved.Add($file) }
        }
        return @{ Fingerprint = $fingerprint; Sections = $sections; Moved = $moved }
    }
    finally {
        $manager.Dispose()
    }
}

try {
    $Ansible.Changed = $false
    $requestData = ConvertFrom-Json -InputObject $Request
    $iis = Get-IisPaths
    $reads = @(Get-Field $requestData 'reads' @())
    # A writer that lands between the two fingerprints makes the sections stale: read once more.
    $attempts = 2
    for ($attempt = 1; $attempt -le $attempts; $attempt++) {
        $pass = Read-Sections $iis $reads
        if ($pass.Moved.Count -eq 0) { break }
    }
    if ($pass.Moved.Count -gt 0) {
        $names = $pass.Moved -join ', '
        throw (New-WinflaskError 'ConfigChanging' "The configuration files changed while they were read, $attempts times in a row: $names. Another program is writing IIS configuration; run the task again when it is done" @{ files = $pass.Moved.ToArray() })
    }
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ fingerprint = $pass.Fingerprint; sections = $pass.Sections }) -Depth 20 -Compress
}
catch {
    $Ansible.Failed = $true
    $Ansible.Result = ConvertTo-Json -InputObject (Get-ErrorPayload $_) -Depth 20 -Compress
}
