# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.8.
# winflask-script: nssm_apply
<#
Runs the nssm commands winflask.iis.nssm_service planned, in order, then starts/stops/restarts the
service. Every command line is quoted on the controller (Windows C runtime rules) and passed as is to
nssm.exe through System.Diagnostics.Process: PowerShell never re-quotes an argument. nssm's output is
read as bytes and decoded (UTF-16LE when it holds NUL bytes, as nssm 2.24 prints off a console; else UTF-8).
A start that does not leave the service running removes a service created by this call, or runs the
rollback commands, and reports the last lines of the service's log files.
A command {"account", "password": true} is no nssm command line: the account is set with the -Password
SecureString through ChangeServiceConfigW, as nssm's own "set <svc> ObjectName <user> <password>" does
(nssm settings.cpp native_set_objectname), so the password is on no process's command line.
A command {"environment": [{"text"} | {"secret"}]} is no nssm command line either: the REG_MULTI_SZ value
Parameters\AppEnvironmentExtra is written directly, as nssm's "set <svc> AppEnvironmentExtra" does (nssm
settings.cpp setting_set_environment: RegSetValueEx REG_MULTI_SZ, RegDeleteValue when empty; nssm reads it
at each start, registry.cpp get_parameters), each {"secret": NAME} entry as NAME=<its value in the
-SecretEnvironment SecureString, a JSON object>. The value as it was is kept first; a rollback command
{"restore": "AppEnvironmentExtra"} writes it back.
Before any change the registry values in "expected" (as the task read them) are read again: if one moved,
nothing is written (ServiceChanged, "settings" names them). AppEnvironmentExtra entries named in
"secret_names" (and, when the request has "plain_names", all not named there) are compared as their HMAC-SHA256 under
-DigestKey, as nssm_read returned them.
Request: {"name", "executable", "delete_existing", "created", "grant_logon_right": null|"<sid>", "secret_names": [],
          "plain_names": ["A"] (optional), "expected": {"values": {"<name>": <value>}, "parameters": {"<name>": <value>}},
          "commands": [{"line", "label"} | {"account", "password", "label"} | {"environment", "label"}],
          "control": null|"start"|"stop"|"restart", "control_lines": {"start", "stop", "restart", "remove"},
          "rollback": [{"line", "label"} | {"restore", "label"}],
          "logs": ["C:\\...\\stderr.log"], "log_lines": 20, "settle_ms": 2000}
Result:  {"changed": true, "status": "SERVICE_RUNNING"|..., "commands_run": N}
Errors:  ServiceChanged {settings}, NssmFailed {command, exit_code, output}, StartFailed {status, log_tail,
         removed}, ScriptError.
Writes: no SupportsShouldProcess, never called in check mode.
#>
param(
    [Parameter(Mandatory = $true)]
    [string]$Request,
    # The service account's password, from win_powershell's sensitive_parameters (never in -Request).
    [SecureString]$Password,
    # The secret environment variables as one JSON object (name -> value), from sensitive_parameters.
    [SecureString]$SecretEnvironment,
    # The task's key for the digests of its secret variables (the re-read of "expected").
    [SecureString]$DigestKey
)
# winflask-include: common/errors.ps1
# winflask-include: common/request.ps1
# winflask-include: common/nssm.ps1

$ErrorActionPreference = 'Stop'
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue -WhatIf:$false

function ConvertFrom-NssmBytes {
    # nssm 2.24 prints UTF-16LE (it sets _O_U16TEXT); later builds print ANSI/UTF-8 off a console.
    param([byte[]]$Bytes)
    if ($null -eq $Bytes -or $Bytes.Length -eq 0) { return '' }
    if ($Bytes.Length -ge 2 -and $Bytes[0] -eq 0xFF -and $Bytes[1] -eq 0xFE) {
        return [System.Text.Encoding]::Unicode.GetString($Bytes, 2, $Bytes.Length - 2)
    }
    if ([Array]::IndexOf($Bytes, [byte]0) -ge 0) { return [System.Text.Encoding]::Unicode.GetString($Bytes) }
    if ($Bytes.Length -ge 3 -and $Bytes[0] -eq 0xEF -and $Bytes[1] -eq 0xBB -and $Bytes[2] -eq 0xBF) {
        return [System.Text.Encoding]::UTF8.GetString($Bytes, 3, $Bytes.Length - 3)
    }
    return [System.Text.Encoding]::UTF8.GetString($Bytes)
}

function Invoke-Nssm {
    # Runs nssm.exe with an argument string quoted on the controller; returns exit code and decoded output.
    param([string]$Nssm, [string]$Line)
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $Nssm
    $info.Arguments = $Line
    $info.UseShellExecute = $false
    $info.CreateNoWindow = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $stdout = New-Object System.IO.MemoryStream
    $stderr = New-Object System.IO.MemoryStream
    $outCopy = $process.StandardOutput.BaseStream.CopyToAsync($stdout)
    $errCopy = $process.StandardError.BaseStream.CopyToAsync($stderr)
    $process.WaitForExit()
    $outCopy.Wait()
    $errCopy.Wait()
    $text = ((ConvertFrom-NssmBytes $stdout.ToArray()) + (ConvertFrom-NssmBytes $stderr.ToArray())).Trim()
    return [ordered]@{ exit_code = $process.ExitCode; output = $text }
}

function Get-Status {
    param([string]$Name)
    $controller = Get-ServiceController $Name
    if ($null -eq $controller) { return $null }
    return (Get-StatusName $controller.Status)
}

function Set-ServiceAccount {
    # ChangeServiceConfigW(account, password): the SecureString is copied to unmanaged memory, passed as
    # the pointer, and zeroed and freed at once; it never becomes a .NET string nor a command line.
    param([string]$Name, [string]$Account, [SecureString]$Secret)
    if ($null -eq $Secret) { return [ordered]@{ exit_code = 87; output = 'The parameter is incorrect. (no -Password given)' } }
    Add-ScmType
    $pointer = [IntPtr]::Zero
    try {
        $pointer = [System.Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Secret)
        $code = [Winflask.Scm]::SetAccount($Name, $Account, $pointer)
    }
    finally {
        if ($pointer -ne [IntPtr]::Zero) { [System.Runtime.InteropServices.Marshal]::ZeroFreeGlobalAllocUnicode($pointer) }
    }
    $message = if ($code -ne 0) { (New-Object System.ComponentModel.Win32Exception $code).Message } else { '' }
    return [ordered]@{ exit_code = $code; output = $message }
}

function Write-EnvironmentExtra {
    # REG_MULTI_SZ Parameters\AppEnvironmentExtra, or no value when there is no entry (as nssm's set/reset).
    param([string]$Name, $Entries)
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey("SYSTEM\CurrentControlSet\Services\$Name\Parameters", $true)
    if ($null -eq $key) { return $false }
    try {
        if ($null -eq $Entries -or @($Entries).Count -eq 0) { $key.DeleteValue('AppEnvironmentExtra', $false) }
        else { $key.SetValue('AppEnvironmentExtra', [string[]]@($Entries), [Microsoft.Win32.RegistryValueKind]::MultiString) }
    }
    finally { $key.Close() }
    return $true
}

function Set-EnvironmentExtra {
    # The plan's entries: {"text"} as is, {"secret": NAME} as NAME=<value from -SecretEnvironment>.
    param([string]$Name, $Entries)
    if (-not $script:SavedEnvironment.Saved) {
        $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey("SYSTEM\CurrentControlSet\Services\$Name\Parameters")
        $old = $null
        if ($null -ne $key) {
            try { $old = $key.GetValue('AppEnvironmentExtra', $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames) }
            finally { $key.Close() }
        }
        $script:SavedEnvironment = @{ Saved = $true; Value = $old }
    }
    $values = $null
    $lines = New-Object System.Collections.Generic.List[string]
    foreach ($entry in @($Entries)) {
        $secret = [string](Get-Field $entry 'secret' '')
        if ($secret -eq '') { $lines.Add([string](Get-Field $entry 'text' '')); continue }
        if ($null -eq $values) {
            $text = ConvertFrom-SecureText $SecretEnvironment
            if ($text -eq '') { return [ordered]@{ exit_code = 87; output = 'The parameter is incorrect. (no -SecretEnvironment given)' } }
            $values = ConvertFrom-Json -InputObject $text
        }
        $value = Get-Field $values $secret
        if ($null -eq $value) { return [ordered]@{ exit_code = 87; output = "The parameter is incorrect. (-SecretEnvironment has no $secret)" } }
        $lines.Add("$secret=$value")
    }
    if (-not (Write-EnvironmentExtra $Name $lines.ToArray())) { return [ordered]@{ exit_code = 3; output = "Can't open service $Name's Parameters key" } }
    return [ordered]@{ exit_code = 0; output = '' }
}

function Restore-EnvironmentExtra {
    # Rollback: AppEnvironmentExtra as it was before Set-EnvironmentExtra (nothing to do when it did not run).
    param([string]$Name)
    if ($script:SavedEnvironment.Saved) { $null = Write-EnvironmentExtra $Name $script:SavedEnvironment.Value }
    return [ordered]@{ exit_code = 0; output = '' }
}

function Get-MovedSettings {
    # The registry values this call will change that differ now from what the task's read saw.
    param([string]$Name, $Expected, [string[]]$SecretNames, [bool]$MaskUnnamed = $false, [string[]]$PlainNames = @())
    $moved = New-Object System.Collections.Generic.List[string]
    $wanted = @()
    foreach ($where in 'values', 'parameters') {
        $part = Get-Field $Expected $where
        if ($null -ne $part) { $wanted += @($part.PSObject.Properties | ForEach-Object { , @($where, $_.Name, $_.Value) }) }
    }
    if ($wanted.Count -eq 0) { return , $moved.ToArray() }
    $config = Get-ServiceConfig $Name $SecretNames (ConvertFrom-SecureText $DigestKey) $MaskUnnamed $PlainNames
    foreach ($item in $wanted) {
        $where, $key, $value = $item
        $now = $null
        if ($null -ne $config -and $config[$where].Contains($key)) { $now = $config[$where][$key] }
        if ((ConvertTo-CanonicalText $now) -cne (ConvertTo-CanonicalText $value)) {
            $moved.Add($(if ($where -eq 'parameters') { "Parameters\$key" } else { $key }))
        }
    }
    return , $moved.ToArray()
}

function Invoke-Commands {
    # Runs commands in order; returns $null or the failure of the first one that fails.
    param([string]$Nssm, $Commands, [string]$Name)
    foreach ($command in @($Commands)) {
        $fields = @($command.PSObject.Properties.Name)
        if ($fields -contains 'account') {
            $run = Set-ServiceAccount $Name ([string]$command.account) $Password
        }
        elseif ($fields -contains 'environment') { $run = Set-EnvironmentExtra $Name @($command.environment) }
        elseif ($fields -contains 'restore') { $run = Restore-EnvironmentExtra $Name }
        else { $run = Invoke-Nssm $Nssm ([string]$command.line) }
        if ($run.exit_code -ne 0) {
            return [ordered]@{ command = [string]$command.label; exit_code = $run.exit_code; output = $run.output }
        }
    }
    return $null
}

function Undo-Changes {
    # Leaves no half-configured service: removes a service this call created, or puts settings back.
    param([string]$Nssm, $Data, [bool]$Restart)
    $lines = Get-Field $Data 'control_lines'
    if ([bool](Get-Field $Data 'created' $false)) {
        $null = Invoke-Nssm $Nssm ([string]$lines.stop)
        $null = Invoke-Nssm $Nssm ([string]$lines.remove)
        return $true
    }
    $null = Invoke-Commands $Nssm (Get-Field $Data 'rollback' @()) ([string](Get-Field $Data 'name' ''))
    # The failed start left the service paused (nssm throttles the app): restart, as start would fail.
    if ($Restart) { $null = Invoke-Nssm $Nssm ([string]$lines.restart) }
    return $false
}

function Get-LogTail {
    param($Files, [int]$Lines)
    $tail = New-Object System.Collections.Generic.List[string]
    foreach ($file in @($Files)) {
        if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { continue }
        foreach ($line in @(Get-Content -LiteralPath $file -Tail $Lines -ErrorAction SilentlyContinue)) {
            $tail.Add("${file}: $line")
        }
    }
    return , $tail.ToArray()
}

function Remove-ExistingService {
    # take_over: the service is not nssm's; stop it and delete it through the SCM before nssm install.
    param([string]$Name)
    $controller = Get-ServiceController $Name
    if ($null -eq $controller) { return }
    if ($controller.Status -ne 'Stopped') {
        $controller.Stop()
        $controller.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
    }
    $output = & sc.exe delete $Name 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw (New-WinflaskError 'NssmFailed' "sc.exe delete $Name failed: $output" @{ command = "sc.exe delete $Name"; exit_code = $LASTEXITCODE; output = [string]$output })
    }
    for ($i = 0; $i -lt 50 -and $null -ne (Get-Status $Name); $i++) { Start-Sleep -Milliseconds 200 }
}

try {
    $data = ConvertFrom-Json -InputObject $Request
    $name = [string](Get-Field $data 'name' '')
    $nssm = [string](Get-Field $data 'executable' '')
    $lines = Get-Field $data 'control_lines'
    $control = [string](Get-Field $data 'control' '')
    $commands = @(Get-Field $data 'commands' @())
    $script:SavedEnvironment = @{ Saved = $false; Value = $null }

    $moved = Get-MovedSettings $name (Get-Field $data 'expected') @(Get-Field $data 'secret_names' @()) (Test-PlainNames $data) @(Get-Field $data 'plain_names' @())
    if ($moved.Count -gt 0) {
        throw (New-WinflaskError 'ServiceChanged' ("service $name changed since this task read it: " + ($moved -join ', ')) @{ settings = $moved })
    }

    if ([bool](Get-Field $data 'delete_existing' $false)) { Remove-ExistingService $name }
    $sid = [string](Get-Field $data 'grant_logon_right' '')
    if ($sid -ne '') {
        Add-LsaType
        [Winflask.Lsa]::AddRight($sid, 'SeServiceLogonRight')
    }

    $failure = Invoke-Commands $nssm $commands $name
    if ($null -ne $failure) {
        $null = Undo-Changes $nssm $data $false
        throw (New-WinflaskError 'NssmFailed' ("nssm {0} failed with exit code {1}: {2}" -f $failure.command, $failure.exit_code, $failure.output) $failure)
    }

    if ($control -eq 'stop') {
        $run = Invoke-Nssm $nssm ([string]$lines.stop)
        if ($run.exit_code -ne 0) {
            throw (New-WinflaskError 'NssmFailed' ("nssm stop $name failed with exit code {0}: {1}" -f $run.exit_code, $run.output) @{ command = "stop $name"; exit_code = $run.exit_code; output = $run.output })
        }
    }
    elseif ($control -eq 'start' -or $control -eq 'restart') {
        $run = Invoke-Nssm $nssm ([string](Get-Field $lines $control))
        Start-Sleep -Milliseconds ([int](Get-Field $data 'settle_ms' 2000))
        $status = Get-Status $name
        if ($status -ne 'SERVICE_RUNNING') {
            $tail = Get-LogTail (Get-Field $data 'logs' @()) ([int](Get-Field $data 'log_lines' 20))
            $removed = Undo-Changes $nssm $data ($control -eq 'restart')
            $message = "service $name did not stay running after nssm $control (status $status, exit code $($run.exit_code): $($run.output))"
            throw (New-WinflaskError 'StartFailed' $message @{ status = $status; log_tail = $tail; removed = $removed; output = $run.output })
        }
    }

    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{
            changed = $true; status = (Get-Status $name); commands_run = $commands.Count }) -Depth 20 -Compress
}
catch {
    $Ansible.Failed = $true
    $exception = $_.Exception
    $payload = [ordered]@{ code = 'ScriptError'; message = $exception.Message }
    if ($exception.Data.Contains('winflask_code')) {
        $payload.code = $exception.Data['winflask_code']
        $details = $exception.Data['winflask_details']
        foreach ($key in $details.Keys) { $payload[$key] = $details[$key] }
    }
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ error = $payload }) -Depth 20 -Compress
}
