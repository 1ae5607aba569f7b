# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.3.
# winflask-script: config_read
<#
Reads IIS configuration sections through Microsoft.Web.Administration (MWA) and returns them as
ONE JSON string in $Ansible.Result:
  {"fingerprint": {<file>: <sha256|null>}, "sections": [{section, pspath, location, file, locked, element}]}
Request: {"reads": [{"section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}]}
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

$ErrorActionPreference = 'Stop'
# PS 5.1: ETS type data on System.Array can make ConvertTo-Json emit {"value": [...], "Count": n}.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue

$ApphostPrefix = 'MACHINE/WEBROOT/APPHOST'

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
