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
