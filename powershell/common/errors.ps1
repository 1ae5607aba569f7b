# winflask.iis shared helpers: errors. Function definitions only; inlined by the transport
# where a script has '# winflask-include: common/errors.ps1' (docs/powershell.md).

function New-WinflaskError {
    # An exception that carries one of the error codes of docs/architecture.md 3.6.
    param([string]$Code, [string]$Message, [System.Collections.IDictionary]$Details = @{})
    $exception = New-Object System.Exception $Message
    $exception.Data['winflask_code'] = $Code
    $exception.Data['winflask_details'] = $Details
    return $exception
}

function Get-HResultCode {
    # The error code of an HRESULT (docs/powershell.md, "HRESULTs"), $null when it has none. .NET turns
    # well-known HRESULTs into other exception types than COMException (0x80070002 FileNotFoundException,
    # 0x80070003 DirectoryNotFoundException, 0x80070057 ArgumentException, MWA's config errors
    # FileLoadException ...), so the HRESULT is read from System.Exception.HResult of each exception.
    param([int]$HResult)
    $codes = @{
        '0x80070021' = 'SectionLocked'     # ERROR_LOCK_VIOLATION: HTTP 500.19 "locked at a parent level"
        '0x800700B7' = 'DuplicateKey'      # ERROR_ALREADY_EXISTS: "Cannot add duplicate collection entry"
        '0x8007000D' = 'ConfigFileError'   # ERROR_INVALID_DATA: HTTP 500.19 "configuration data ... is invalid"
        '0x80070002' = 'ConfigFileError'   # ERROR_FILE_NOT_FOUND: "Cannot read configuration file" (configSource)
        '0x80070003' = 'ConfigFileError'   # ERROR_PATH_NOT_FOUND: a config file's folder that is not there
        '0x80070057' = 'InvalidValue'      # E_INVALIDARG: a value the schema refuses
    }
    $key = '0x{0:X8}' -f $HResult
    if ($codes.ContainsKey($key)) { return $codes[$key] }
    return $null
}

function Get-MessageCode {
    # The error code of one of MWA's precise error texts (English), $null when none matches.
    param([string]$Message)
    if ($Message -match 'missing a section declaration') { return 'SectionNotRegistered' }
    if ($Message -match 'has changed on disk') { return 'FingerprintMismatch' }
    if ($Message -match 'This configuration section cannot be used at this path') { return 'SectionLocked' }
    if ($Message -match 'Cannot add duplicate collection entry') { return 'DuplicateKey' }
    if ($Message -match 'Unrecognized attribute') { return 'UnknownAttribute' }
    if ($Message -match 'Missing required attribute') { return 'InvalidValue' }
    if ($Message -match 'Unrecognized element') { return 'UnknownElement' }
    if ($Message -match 'not well-formed|Cannot read configuration file') { return 'ConfigFileError' }
    return $null
}

function Get-ErrorPayload {
    # Turns any caught error into {"error": {"code", "message", "hresult"?, ...}}. A winflask error anywhere in
    # the exception chain wins; else the innermost exception (the one MWA threw, below PowerShell's
    # MethodInvocationException) that has a precise MWA text or a known HRESULT decides; else ScriptError.
    param($ErrorRecord)
    $chain = New-Object System.Collections.Generic.List[System.Exception]
    for ($current = $ErrorRecord.Exception; $null -ne $current; $current = $current.InnerException) {
        if ($current.Data.Contains('winflask_code')) {
            $body = [ordered]@{ code = $current.Data['winflask_code']; message = $current.Message }
            $details = $current.Data['winflask_details']
            if ($null -ne $details) { foreach ($key in $details.Keys) { $body[$key] = $details[$key] } }
            return @{ error = $body }
        }
        $chain.Add($current)
    }
    $code = $null
    $source = $chain[0]
    for ($i = $chain.Count - 1; $i -ge 0 -and $null -eq $code; $i--) {
        $code = Get-MessageCode $chain[$i].Message
        if ($null -eq $code) { $code = Get-HResultCode $chain[$i].HResult }
        if ($null -ne $code) { $source = $chain[$i] }
    }
    # ScriptError keeps the outermost message (it names the call) and the innermost HRESULT (for bug reports).
    $hresult = $source.HResult
    if ($null -eq $code) { $code = 'ScriptError'; $hresult = $chain[$chain.Count - 1].HResult }
    $body = [ordered]@{ code = $code; message = $source.Message; hresult = ('0x{0:X8}' -f $hresult) }
    return @{ error = $body }
}
