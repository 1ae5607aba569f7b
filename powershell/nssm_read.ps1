# winflask.iis target script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.7.
# winflask-script: nssm_read
<#
Reads everything winflask.iis.nssm_service needs about one service in ONE call, from the registry
(HKLM\SYSTEM\CurrentControlSet\Services\<svc> and its Parameters key, where nssm keeps its settings)
and the service control manager; nssm.exe itself is not run (no output to decode, no GUI risk).
Request: {"name": "svc", "executable": null|"C:\\...\\nssm.exe", "application": null|"path",
          "account": null|"DOMAIN\\user", "folders": ["C:\\app\\logs"]}
Result:  {"nssm": null|{"path", "version"}, "service": null|{"name", "status", "values", "parameters"},
          "application": null|{"path", "exists"}, "account": null|{"name", "sid", "logon_right"},
          "folders": {"C:\\app\\logs": true|false}}
Read only. SupportsShouldProcess lets win_powershell run it in check mode.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory = $true)]
    [string]$Request
)

$ErrorActionPreference = 'Stop'
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue

$ServicesKey = 'SYSTEM\CurrentControlSet\Services'
$StatusNames = @{
    'Stopped' = 'SERVICE_STOPPED'; 'StartPending' = 'SERVICE_START_PENDING'; 'StopPending' = 'SERVICE_STOP_PENDING'
    'Running' = 'SERVICE_RUNNING'; 'ContinuePending' = 'SERVICE_CONTINUE_PENDING'
    'PausePending' = 'SERVICE_PAUSE_PENDING'; 'Paused' = 'SERVICE_PAUSED'
}

function Get-Field {
    param($Object, [string]$Name, $Default = $null)
    if ($null -ne $Object -and $Object.PSObject.Properties.Name -contains $Name -and $null -ne $Object.$Name) {
        return $Object.$Name
    }
    return $Default
}

function Find-Program {
    # A program by full path, or by name on the session PATH, then on the machine PATH read from the
    # registry (a PATH changed by the nssm role is not seen by this connection's environment yet).
    param([string]$Name)
    if ([string]::IsNullOrEmpty($Name)) { return $null }
    $expanded = [Environment]::ExpandEnvironmentVariables($Name)
    if ([System.IO.Path]::IsPathRooted($expanded)) {
        if (Test-Path -LiteralPath $expanded -PathType Leaf) { return $expanded }
        return $null
    }
    $machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
    $folders = @($env:Path -split ';') + @($machinePath -split ';')
    foreach ($folder in $folders) {
        if ([string]::IsNullOrWhiteSpace($folder)) { continue }
        $candidate = Join-Path ([Environment]::ExpandEnvironmentVariables($folder.Trim('"'))) $expanded
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
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

function ConvertFrom-RegistryKey {
    # Values of one key: DWORD -> number (unsigned), MULTI_SZ -> array, strings unexpanded; binary skipped.
    param($Key)
    $values = [ordered]@{}
    foreach ($valueName in $Key.GetValueNames()) {
        $kind = $Key.GetValueKind($valueName)
        $raw = $Key.GetValue($valueName, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        $name = if ($valueName -eq '') { 'Default' } else { $valueName }
        switch ($kind) {
            'DWord' { $values[$name] = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int]$raw), 0) }
            'QWord' { $values[$name] = [uint64]$raw }
            'MultiString' { $values[$name] = @($raw) }
            'String' { $values[$name] = [string]$raw }
            'ExpandString' { $values[$name] = [string]$raw }
            default { }
        }
    }
    return $values
}

function Get-ServiceConfig {
    param([string]$Name)
    $controller = [System.ServiceProcess.ServiceController]::GetServices() |
        Where-Object { $_.ServiceName -eq $Name } | Select-Object -First 1
    if ($null -eq $controller) { return $null }
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey("$ServicesKey\$($controller.ServiceName)")
    if ($null -eq $key) { return $null }
    try {
        $values = ConvertFrom-RegistryKey $key
        $parameters = [ordered]@{}
        $paramKey = $key.OpenSubKey('Parameters')
        if ($null -ne $paramKey) {
            try {
                $parameters = ConvertFrom-RegistryKey $paramKey
                foreach ($subName in $paramKey.GetSubKeyNames()) {
                    $sub = $paramKey.OpenSubKey($subName)
                    try { $parameters[$subName] = ConvertFrom-RegistryKey $sub } finally { $sub.Close() }
                }
            }
            finally { $paramKey.Close() }
        }
    }
    finally { $key.Close() }
    return [ordered]@{
        name = $controller.ServiceName
        status = $StatusNames[[string]$controller.Status]
        values = $values
        parameters = $parameters
    }
}

$LsaSource = @'
using System;
using System.Runtime.InteropServices;
using System.Security.Principal;
namespace Winflask {
public static class Lsa {
    [StructLayout(LayoutKind.Sequential)]
    struct LSA_UNICODE_STRING { public ushort Length; public ushort MaximumLength; public IntPtr Buffer; }
    [StructLayout(LayoutKind.Sequential)]
    struct LSA_OBJECT_ATTRIBUTES { public int Length; public IntPtr RootDirectory; public IntPtr ObjectName;
        public uint Attributes; public IntPtr SecurityDescriptor; public IntPtr SecurityQualityOfService; }
    [DllImport("advapi32.dll")] static extern uint LsaOpenPolicy(IntPtr system, ref LSA_OBJECT_ATTRIBUTES attributes, uint access, out IntPtr handle);
    [DllImport("advapi32.dll")] static extern uint LsaEnumerateAccountRights(IntPtr policy, byte[] sid, out IntPtr rights, out uint count);
    [DllImport("advapi32.dll")] static extern uint LsaAddAccountRights(IntPtr policy, byte[] sid, LSA_UNICODE_STRING[] rights, uint count);
    [DllImport("advapi32.dll")] static extern uint LsaFreeMemory(IntPtr buffer);
    [DllImport("advapi32.dll")] static extern uint LsaClose(IntPtr handle);
    [DllImport("advapi32.dll")] static extern int LsaNtStatusToWinError(uint status);
    const uint STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034;
    static IntPtr Open(uint access) {
        LSA_OBJECT_ATTRIBUTES attributes = new LSA_OBJECT_ATTRIBUTES();
        IntPtr handle;
        uint status = LsaOpenPolicy(IntPtr.Zero, ref attributes, access, out handle);
        if (status != 0) throw new System.ComponentModel.Win32Exception(LsaNtStatusToWinError(status));
        return handle;
    }
    static byte[] SidBytes(string sid) {
        SecurityIdentifier identifier = new SecurityIdentifier(sid);
        byte[] bytes = new byte[identifier.BinaryLength];
        identifier.GetBinaryForm(bytes, 0);
        return bytes;
    }
    public static bool HasRight(string sid, string right) {
        IntPtr policy = Open(0x00000800);
        try {
            IntPtr buffer; uint count;
            uint status = LsaEnumerateAccountRights(policy, SidBytes(sid), out buffer, out count);
            if (status == STATUS_OBJECT_NAME_NOT_FOUND) return false;
            if (status != 0) throw new System.ComponentModel.Win32Exception(LsaNtStatusToWinError(status));
            try {
                int size = Marshal.SizeOf(typeof(LSA_UNICODE_STRING));
                for (int i = 0; i < count; i++) {
                    LSA_UNICODE_STRING item = (LSA_UNICODE_STRING)Marshal.PtrToStructure(new IntPtr(buffer.ToInt64() + i * size), typeof(LSA_UNICODE_STRING));
                    if (Marshal.PtrToStringUni(item.Buffer, item.Length / 2) == right) return true;
                }
                return false;
            } finally { LsaFreeMemory(buffer); }
        } finally { LsaClose(policy); }
    }
    public static void AddRight(string sid, string right) {
        IntPtr policy = Open(0x00000800 | 0x00000010);
        IntPtr text = Marshal.StringToHGlobalUni(right);
        try {
            LSA_UNICODE_STRING[] rights = new LSA_UNICODE_STRING[1];
            rights[0].Buffer = text;
            rights[0].Length = (ushort)(right.Length * 2);
            rights[0].MaximumLength = (ushort)((right.Length + 1) * 2);
            uint status = LsaAddAccountRights(policy, SidBytes(sid), rights, 1);
            if (status != 0) throw new System.ComponentModel.Win32Exception(LsaNtStatusToWinError(status));
        } finally { Marshal.FreeHGlobal(text); LsaClose(policy); }
    }
}
}
'@

function Get-AccountInfo {
    param([string]$Name)
    $sid = $null
    try {
        $sid = (New-Object System.Security.Principal.NTAccount $Name).Translate([System.Security.Principal.SecurityIdentifier]).Value
    }
    catch { return [ordered]@{ name = $Name; sid = $null; logon_right = $false } }
    if (-not ('Winflask.Lsa' -as [type])) { Add-Type -TypeDefinition $LsaSource }
    return [ordered]@{ name = $Name; sid = $sid; logon_right = [Winflask.Lsa]::HasRight($sid, 'SeServiceLogonRight') }
}

try {
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
        service = Get-ServiceConfig $name
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
