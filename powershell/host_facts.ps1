# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.5.
# winflask-script: host_facts
<#
Reads what the modules need to know about the host, as ONE JSON string in $Ansible.Result:
OS (Win32_OperatingSystem ProductType/Caption/Version, registry InstallationType), the
PowerShell version, whether IIS is there, the registered config sections (<configSections>),
the global modules and the sites. Request: {} (ignored).
Read only. SupportsShouldProcess lets win_powershell run it in check mode.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory = $true)]
    [string]$Request
)
# winflask-include: common/errors.ps1
# winflask-include: common/iis.ps1

$ErrorActionPreference = 'Stop'
# PS 5.1: ETS type data on System.Array can make ConvertTo-Json emit {"value": [...], "Count": n}.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue -WhatIf:$false

function Get-OsFacts {
    # ProductType: 1 workstation, 2 domain controller, 3 server. InstallationType: Client, Server, Server Core.
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $installationType = $null
    $key = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -ErrorAction SilentlyContinue
    if ($null -ne $key -and $key.PSObject.Properties['InstallationType']) { $installationType = [string]$key.InstallationType }
    return [ordered]@{
        product_type = [int]$os.ProductType
        caption = [string]$os.Caption
        version = [string]$os.Version
        installation_type = $installationType
    }
}

function Get-IisVersion {
    # "10.0" from HKLM:\SOFTWARE\Microsoft\InetStp (written by the IIS setup); $null when absent.
    $key = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\InetStp' -ErrorAction SilentlyContinue
    if ($null -eq $key -or -not $key.PSObject.Properties['MajorVersion']) { return $null }
    $minor = 0
    if ($key.PSObject.Properties['MinorVersion']) { $minor = $key.MinorVersion }
    return "$($key.MajorVersion).$minor"
}

function Add-SectionNames {
    # Full names ("system.webServer/rewrite/rules") of every <section> under a <sectionGroup>, recursively.
    param($Group, [string]$Prefix, $Names)
    foreach ($definition in $Group.Sections) {
        $name = [string]$definition.Name
        if ($Prefix -and -not $name.Contains('/')) { $name = "$Prefix/$name" }
        $Names.Add($name)
    }
    foreach ($child in $Group.SectionGroups) {
        $name = [string]$child.Name
        if ($Prefix -and -not $name.Contains('/')) { $name = "$Prefix/$name" }
        Add-SectionNames $child $name $Names
    }
}

try {
    $Ansible.Changed = $false
    $inetsrv = Join-Path $env:windir 'System32\inetsrv'
    $configFolder = Join-Path $inetsrv 'config'
    $mwaFile = Join-Path $inetsrv 'Microsoft.Web.Administration.dll'
    # The file the config system uses: redirection.config (shared configuration) may move it.
    $apphost = Get-ApphostConfigPath $configFolder
    $apphostFile = $apphost.Path
    $installed = (Test-Path -LiteralPath $apphost.Local -PathType Leaf) -and (Test-Path -LiteralPath $mwaFile -PathType Leaf)

    $sections = New-Object System.Collections.Generic.List[string]
    $globalModules = New-Object System.Collections.Generic.List[string]
    $sites = New-Object System.Collections.Generic.List[object]
    if ($installed) {
        $null = [System.Reflection.Assembly]::LoadFrom($mwaFile)
        $manager = New-Object Microsoft.Web.Administration.ServerManager
        $apphost = $manager.GetApplicationHostConfiguration()
        Add-SectionNames $apphost.RootSectionGroup '' $sections
        foreach ($module in $apphost.GetSection('system.webServer/globalModules').GetCollection()) {
            $globalModules.Add([string]$module.GetAttributeValue('name'))
        }
        foreach ($site in $manager.Sites) {
            # Physical path of the root virtual directory of the root application, unexpanded.
            $physicalPath = $null
            foreach ($app in $site.Applications) {
                if ($app.Path -ne '/') { continue }
                foreach ($vdir in $app.VirtualDirectories) { if ($vdir.Path -eq '/') { $physicalPath = [string]$vdir.PhysicalPath } }
            }
            $sites.Add([ordered]@{ name = [string]$site.Name; id = [long]$site.Id; physical_path = $physicalPath })
        }
    }

    $facts = [ordered]@{
        os = Get-OsFacts
        powershell_version = $PSVersionTable.PSVersion.ToString()
        iis = [ordered]@{
            installed = [bool]$installed
            version = $(if ($installed) { Get-IisVersion } else { $null })
            config_file = $apphostFile
        }
        sections = $sections
        global_modules = $globalModules
        sites = $sites
    }
    $Ansible.Result = ConvertTo-Json -InputObject $facts -Depth 20 -Compress
}
catch {
    $Ansible.Failed = $true
    $Ansible.Result = ConvertTo-Json -InputObject (Get-ErrorPayload $_) -Depth 20 -Compress
}
