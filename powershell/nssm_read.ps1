# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.7.
# winflask-script: nssm_read
<#
Reads everything winflask.iis.nssm_service needs about one service in ONE call, from the registry
(HKLM\SYSTEM\CurrentControlSet\Services\<svc> and its Parameters key, where nssm keeps its settings)
and the service control manager; nssm.exe itself is not run (no output to decode, no GUI risk).
Request: {"name": "svc", "executable": null|"C:\\...\\nssm.exe", "application": null|"path", "secret_names": [],
          "plain_names": ["A"] (optional),
          "account": null|"DOMAIN\\user", "folders": ["C:\\app\\logs"]}
Result:  {"nssm": null|{"path", "version"}, "service": null|{"name", "status", "values", "parameters"},
          "application": null|{"path", "exists"}, "account": null|{"name", "sid", "logon_right"},
          "folders": {"C:\\app\\logs": true|false}}
AppEnvironmentExtra entries named in "secret_names" come back as {"name", "hmac_sha256"} (HMAC-SHA256 of the
value under -DigestKey, a SecureString from win_powershell's sensitive_parameters), never as text; when
the request has "plain_names" (nssm_service: its environment names), so does every entry not named there.
Read only. SupportsShouldProcess lets win_powershell run it in check mode.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory = $true)]
    [string]$Request,
    # The task's key for the digests of its secret variables (sensitive_parameters; never in -Request).
    [SecureString]$DigestKey
)
# winflask-include: common/request.ps1
# winflask-include: common/nssm.ps1

$ErrorActionPreference = 'Stop'
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue -WhatIf:$false

function Find-Program {
    # A program by full path, or by name on the session PATH, then on the machine PATH read from the
    # registry (a PATH changed by the nssm role is not seen by this connection's environment yet).
    # A name without an extension is tried with each extension of PATHEXT, in order, in each folder, as
    # cmd.exe's command search does. PATH entries are joined with [IO.Path]::Combine in a try (it throws for
    # characters a path cannot hold; Join-Path throws DriveNotFoundException for a drive this session does not
    # have) and tested with [IO.File]::Exists (false, never an exception, for a missing drive or share);
    # relative and unusable entries are skipped. docs/powershell.md "nssm_read.ps1".
    param([string]$Name)
    if ([string]::IsNullOrEmpty($Name)) { return $null }
    $expanded = [Environment]::ExpandEnvironmentVariables($Name)
    $rooted = $false
    try { $rooted = [System.IO.Path]::IsPathRooted($expanded) } catch { return $null }
    if ($rooted) {
        if ([System.IO.File]::Exists($expanded)) { return $expanded }
        return $null
    }
    $names = @($expanded)
    if (-not [System.IO.Path]::HasExtension($expanded)) {
        $extensions = @("$env:PATHEXT" -split ';' | Where-Object { $_.Trim() -ne '' })
        if ($extensions.Count -eq 0) { $extensions = @('.COM', '.EXE', '.BAT', '.CMD') }
        $names = @($extensions | ForEach-Object { $expanded + $_.Trim() })
    }
    $machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
    $folders = @("$env:Path" -split ';') + @("$machinePath" -split ';')
    foreach ($folder in $folders) {
        $entry = [Environment]::ExpandEnvironmentVariables($folder.Trim().Trim('"'))
        if ($entry -eq '') { continue }
        foreach ($candidateName in $names) {
            $candidate = $null
            try { if ([System.IO.Path]::IsPathRooted($entry)) { $candidate = [System.IO.Path]::Combine($entry, $candidateName) } }
            catch { $candidate = $null }
            if ($null -eq $candidate) { break }
            if ([System.IO.File]::Exists($candidate)) { return $candidate }
        }
    }
    return $null
}

function Find-Nssm {
    param([string]$Executable)
    if (-not [string]::IsNullOrEmpty($Executable)) {
        $path = Find-Program $Executable
    }
    else {
        $path = Find-Program 'nssm.exe'
        if ($null -eq $path) { $path = Find-Program (Join-Path $env:ProgramFiles 'nssm\nssm.exe') }
    }
    if ($null -eq $path) { return $null }
    $info = (Get-Item -LiteralPath $path).VersionInfo
    return [ordered]@{ path = $path; version = [string]$info.FileVersion }
}

function Get-AccountInfo {
    # NTAccount.Translate does not know the '.' of '.\user' (a local account, as services.msc and sc.exe accept
    # it): it is replaced by the computer name first, as ansible-core's Convert-ToSID does
    # (Ansible.ModuleUtils.SID.psm1). The name is reported as the task gave it.
    param([string]$Name)
    $sid = $null
    $lookup = $Name
    if ($lookup.StartsWith('.\')) { $lookup = $env:COMPUTERNAME + $lookup.Substring(1) }
    try {
        $sid = (New-Object System.Security.Principal.NTAccount $lookup).Translate([System.Security.Principal.SecurityIdentifier]).Value
    }
    catch { return [ordered]@{ name = $Name; sid = $null; logon_right = $false } }
    Add-LsaType
    return [ordered]@{ name = $Name; sid = $sid; logon_right = [Winflask.Lsa]::HasRight($sid, 'SeServiceLogonRight') }
}

try {
    $Ansible.Changed = $false
    $requestData = ConvertFrom-Json -InputObject $Request
    $name = [string](Get-Field $requestData 'name' '')
    $application = $null
    $applicationRequest = [string](Get-Field $requestData 'application' '')
    if ($applicationRequest -ne '') {
        $found = Find-Program $applicationRequest
        $application = [ordered]@{ path = $(if ($found) { $found } else { $applicationRequest }); exists = [bool]$found }
    }
    $account = $null
    $accountRequest = [string](Get-Field $requestData 'account' '')
    if ($accountRequest -ne '') { $account = Get-AccountInfo $accountRequest }
    $folders = [ordered]@{}
    foreach ($folder in @(Get-Field $requestData 'folders' @())) {
        $folders[[string]$folder] = [bool](Test-Path -LiteralPath ([Environment]::ExpandEnvironmentVariables([string]$folder)) -PathType Container)
    }
    $result = [ordered]@{
        nssm = Find-Nssm ([string](Get-Field $requestData 'executable' ''))
        service = Get-ServiceConfig $name @(Get-Field $requestData 'secret_names' @()) (ConvertFrom-SecureText $DigestKey) (Test-PlainNames $requestData) @(Get-Field $requestData 'plain_names' @())
        application = $application
        account = $account
        folders = $folders
    }
    $Ansible.Result = ConvertTo-Json -InputObject $result -Depth 20 -Compress
}
catch {
    $Ansible.Failed = $true
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ error = [ordered]@{
                code = 'ScriptError'; message = $_.Exception.Message } }) -Depth 20 -Compress
}
