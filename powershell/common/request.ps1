# winflask.iis shared helpers: reading the -Request JSON. Function definitions only; inlined by the
# transport where a script has '# winflask-include: common/request.ps1' (docs/powershell.md).

function Get-Field {
    # A property of a ConvertFrom-Json object, or $Default when it is missing.
    param($Object, [string]$Name, $Default = $null)
    if ($null -eq $Object) { return $Default }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) { return $Default }
    return $property.Value
}
