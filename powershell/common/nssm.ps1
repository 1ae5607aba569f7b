# winflask.iis shared helpers: Windows services and nssm. Function definitions only; inlined by the
# transport where a script has '# winflask-include: common/nssm.ps1' (docs/powershell.md).

function Get-StatusName {
    # A ServiceController status as the SERVICE_* name nssm prints (docs/architecture.md 3.7).
    param([string]$Status)
    $names = @{
        'Stopped' = 'SERVICE_STOPPED'; 'StartPending' = 'SERVICE_START_PENDING'; 'StopPending' = 'SERVICE_STOP_PENDING'
        'Running' = 'SERVICE_RUNNING'; 'ContinuePending' = 'SERVICE_CONTINUE_PENDING'
        'PausePending' = 'SERVICE_PAUSE_PENDING'; 'Paused' = 'SERVICE_PAUSED'
    }
    return $names[$Status]
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
            # RegistryKey.GetValue returns a QWORD as Int64: bit for bit, as the DWORD above ([uint64] throws
            # for a negative Int64).
            'QWord' { $values[$name] = [BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]$raw), 0) }
            'MultiString' { $values[$name] = @($raw) }
            'String' { $values[$name] = [string]$raw }
            'ExpandString' { $values[$name] = [string]$raw }
            default { }
        }
    }
    return $values
}

function ConvertFrom-SecureText {
    # The text of a SecureString from win_powershell's sensitive_parameters ('' when not given).
    param([SecureString]$Secure)
    if ($null -eq $Secure) { return '' }
    $pointer = [System.Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Secure)
    try { return [System.Runtime.InteropServices.Marshal]::PtrToStringUni($pointer) }
    finally { [System.Runtime.InteropServices.Marshal]::ZeroFreeGlobalAllocUnicode($pointer) }
}

function Protect-Environment {
    # AppEnvironmentExtra entries NAME=VALUE whose NAME is one of the task's secret names (case-insensitive,
    # as Windows environment names), or, with $MaskUnnamed, is not in $Plain, become {name, hmac_sha256}:
    # HMAC-SHA256 of the value's UTF-8 bytes under the task's digest key (UTF-8). The controller compares that
    # with its own HMAC of the wanted value. Without $MaskUnnamed every other entry comes back as text.
    param([string[]]$Entries, [string[]]$Names, [string]$Key, [bool]$MaskUnnamed = $false, [string[]]$Plain = @())
    $hmac = New-Object System.Security.Cryptography.HMACSHA256 (, [System.Text.Encoding]::UTF8.GetBytes($Key))
    try {
        foreach ($entry in $Entries) {
            $at = $entry.IndexOf('=')
            $variable = if ($at -ge 0) { $entry.Substring(0, $at) } else { $entry }
            if (($Names -contains $variable) -or ($MaskUnnamed -and -not ($Plain -contains $variable))) {
                $value = if ($at -ge 0) { $entry.Substring($at + 1) } else { '' }
                $bytes = $hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($value))
                [ordered]@{ name = $variable; hmac_sha256 = (-join ($bytes | ForEach-Object { $_.ToString('x2') })) }
            }
            else { $entry }
        }
    }
    finally { $hmac.Dispose() }
}

function Test-PlainNames {
    # Whether the request has the field "plain_names" (nssm_service always sends it: its environment names,
    # the only variables whose values may come back; [] or null = none). Its presence decides, not its value:
    # an empty array may come back from Get-Field as $null (a function returning @() outputs nothing).
    param($Data)
    return ($null -ne $Data.PSObject.Properties['plain_names'])
}

function Get-ServiceController {
    # The ServiceController of a service (names are case-insensitive), $null when there is none. Its type lives
    # in System.ServiceProcess.dll, which Windows PowerShell 5.1 does not load by default: a type literal from an
    # assembly that is not loaded is 'Unable to find type' (docs/powershell.md, "Types and their assemblies").
    param([string]$Name)
    Add-Type -AssemblyName System.ServiceProcess
    return [System.ServiceProcess.ServiceController]::GetServices() |
        Where-Object { $_.ServiceName -eq $Name } | Select-Object -First 1
}

function Get-ServiceConfig {
    # $SecretNames/$DigestKey: AppEnvironmentExtra entries of those names come back as digests, not values;
    # with $MaskUnnamed every entry not in $PlainNames too.
    param([string]$Name, [string[]]$SecretNames = @(), [string]$DigestKey = '', [bool]$MaskUnnamed = $false,
        [string[]]$PlainNames = @())
    $controller = Get-ServiceController $Name
    if ($null -eq $controller) { return $null }
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey("SYSTEM\CurrentControlSet\Services\$($controller.ServiceName)")
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
        if (($SecretNames.Count -gt 0 -or $MaskUnnamed) -and $parameters.Contains('AppEnvironmentExtra')) {
            $parameters['AppEnvironmentExtra'] = @(Protect-Environment @($parameters['AppEnvironmentExtra']) $SecretNames $DigestKey $MaskUnnamed $PlainNames)
        }
    }
    finally { $key.Close() }
    return [ordered]@{
        name = $controller.ServiceName
        status = (Get-StatusName $controller.Status)
        values = $values
        parameters = $parameters
    }
}

function ConvertTo-CanonicalText {
    # One comparable text for a registry value as Get-ServiceConfig reads it and for the same value after a
    # JSON round trip through the controller (object keys sorted, numbers invariant, arrays in order).
    param($Value)
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [string]) { return (ConvertTo-Json -InputObject $Value -Compress) }
    if ($Value -is [bool]) { return $(if ($Value) { 'true' } else { 'false' }) }
    if ($Value -is [System.Collections.IDictionary]) {
        $parts = foreach ($key in @($Value.Keys | Sort-Object)) { '{0}:{1}' -f $key, (ConvertTo-CanonicalText $Value[$key]) }
        return '{' + (@($parts) -join ',') + '}'
    }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $parts = foreach ($key in @($Value.PSObject.Properties.Name | Sort-Object)) { '{0}:{1}' -f $key, (ConvertTo-CanonicalText $Value.$key) }
        return '{' + (@($parts) -join ',') + '}'
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $parts = foreach ($item in $Value) { ConvertTo-CanonicalText $item }
        return '[' + (@($parts) -join ',') + ']'
    }
    return ([decimal]$Value).ToString([System.Globalization.CultureInfo]::InvariantCulture)
}

function Add-ScmType {
    # Compiles [Winflask.Scm] (ChangeServiceConfigW for the logon account) once per session. The password
    # arrives as unmanaged UTF-16 memory from a SecureString and never becomes a .NET string.
    if ('Winflask.Scm' -as [type]) { return }
    Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
namespace Winflask {
public static class Scm {
    const uint SC_MANAGER_CONNECT = 0x0001, SERVICE_QUERY_CONFIG = 0x0001, SERVICE_CHANGE_CONFIG = 0x0002;
    const uint SERVICE_NO_CHANGE = 0xFFFFFFFF;
    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    static extern IntPtr OpenSCManagerW(string machine, string database, uint access);
    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    static extern IntPtr OpenServiceW(IntPtr manager, string name, uint access);
    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    static extern bool ChangeServiceConfigW(IntPtr service, uint type, uint start, uint errorControl,
        string binaryPath, string loadOrderGroup, IntPtr tagId, string dependencies, string startName,
        IntPtr password, string displayName);
    [DllImport("advapi32.dll", SetLastError = true)]
    static extern bool CloseServiceHandle(IntPtr handle);
    // Returns 0 or the Win32 error code (e.g. 1057 ERROR_INVALID_SERVICE_ACCOUNT, 1060 no such service).
    public static int SetAccount(string name, string account, IntPtr password) {
        IntPtr manager = OpenSCManagerW(null, null, SC_MANAGER_CONNECT);
        if (manager == IntPtr.Zero) return Marshal.GetLastWin32Error();
        try {
            IntPtr service = OpenServiceW(manager, name, SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG);
            if (service == IntPtr.Zero) return Marshal.GetLastWin32Error();
            try {
                if (!ChangeServiceConfigW(service, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
                        null, null, IntPtr.Zero, null, account, password, null)) {
                    return Marshal.GetLastWin32Error();
                }
                return 0;
            } finally { CloseServiceHandle(service); }
        } finally { CloseServiceHandle(manager); }
    }
}
}
'@
}

function Add-LsaType {
    # Compiles [Winflask.Lsa] (LsaEnumerateAccountRights / LsaAddAccountRights) once per session.
    if ('Winflask.Lsa' -as [type]) { return }
    Add-Type -TypeDefinition @'
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
}
