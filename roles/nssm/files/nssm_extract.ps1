# winflask.iis nssm role script. Windows PowerShell 5.1. Contract: docs/architecture.md section 3.9.
# winflask-script: nssm_extract
<#
Copies one file (nssm.exe) out of a zip to dest, unless dest already has the same SHA-256.
Request: {"archive": "C:\\...\\nssm-2.24-101-g897c7ad.zip", "member": "nssm-2.24-101-g897c7ad/win64/nssm.exe",
          "dest": "C:\\Program Files\\nssm\\nssm.exe", "checksum": ""|"<sha256 of the member>"}
Result:  {"changed": true|false, "dest": "...", "checksum": "<sha256>"}
Errors:  FileNotFound, InvalidArchive, ChecksumMismatch, ScriptError (e.g. nssm.exe in use by a running service).
Writes: no SupportsShouldProcess, win_powershell skips it in check mode.
#>
param(
    [Parameter(Mandatory = $true)]
    [string]$Request
)

$ErrorActionPreference = 'Stop'

function New-WinflaskError {
    param([string]$Code, [string]$Message)
    $exception = New-Object System.Exception $Message
    $exception.Data['winflask_code'] = $Code
    return $exception
}

function Get-Sha256 {
    # SHA256CryptoServiceProvider (CAPI, FIPS-validated; System.Core, loaded by default): SHA256.Create() gives
    # SHA256Managed on .NET Framework, which throws on a host with the FIPS policy on. ansible.windows' win_stat
    # and Windows PowerShell 5.1's own Get-FileHash use the CryptoServiceProvider (docs/powershell.md).
    param([System.IO.Stream]$Stream)
    $sha = New-Object System.Security.Cryptography.SHA256CryptoServiceProvider
    try { return [BitConverter]::ToString($sha.ComputeHash($Stream)).Replace('-', '').ToLowerInvariant() }
    finally { $sha.Dispose() }
}

try {
    $data = ConvertFrom-Json -InputObject $Request
    $archive = [string]$data.archive
    $member = ([string]$data.member).Replace('\', '/')
    $dest = [string]$data.dest
    if (-not (Test-Path -LiteralPath $archive -PathType Leaf)) {
        throw (New-WinflaskError 'FileNotFound' "archive $archive does not exist")
    }
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    try { $zip = [System.IO.Compression.ZipFile]::OpenRead($archive) }
    catch { throw (New-WinflaskError 'InvalidArchive' "$archive is not a zip file: $($_.Exception.Message)") }
    try {
        $entry = $zip.Entries | Where-Object { $_.FullName -eq $member } | Select-Object -First 1
        if ($null -eq $entry) { throw (New-WinflaskError 'FileNotFound' "$member is not in $archive") }
        $stream = $entry.Open()
        try { $checksum = Get-Sha256 $stream } finally { $stream.Dispose() }
        $expected = ([string]$data.checksum).ToLowerInvariant()
        if ($expected -ne '' -and $expected -ne $checksum) {
            throw (New-WinflaskError 'ChecksumMismatch' "$member in $archive has SHA-256 $checksum, expected $expected")
        }
        $current = $null
        if (Test-Path -LiteralPath $dest -PathType Leaf) {
            $file = [System.IO.File]::OpenRead($dest)
            try { $current = Get-Sha256 $file } finally { $file.Dispose() }
        }
        $changed = $current -ne $checksum
        if ($changed) {
            $folder = Split-Path -Path $dest -Parent
            if (-not (Test-Path -LiteralPath $folder)) { $null = New-Item -ItemType Directory -Path $folder -Force }
            [System.IO.Compression.ZipFileExtensions]::ExtractToFile($entry, $dest, $true)
        }
    }
    finally { $zip.Dispose() }
    $Ansible.Changed = $changed
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ changed = $changed; dest = $dest; checksum = $checksum }) -Compress
}
catch {
    $Ansible.Failed = $true
    $Ansible.Changed = $false
    $code = 'ScriptError'
    if ($_.Exception.Data.Contains('winflask_code')) { $code = $_.Exception.Data['winflask_code'] }
    $Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{ error = [ordered]@{ code = $code; message = $_.Exception.Message } }) -Compress
}
