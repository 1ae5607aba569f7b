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

function Get-ErrorPayload {
    # Turns any caught error into {"error": {"code", "message", ...}}; maps MWA COM errors to codes.
    param($ErrorRecord)
    $exception = $ErrorRecord.Exception
    $details = @{}
    $code = $null
    $hresult = $null
    $current = $exception
    while ($null -ne $current) {
        if ($current.Data.Contains('winflask_code')) {
            $code = $current.Data['winflask_code']
            $details = $current.Data['winflask_details']
            $exception = $current
            break
        }
        if ($current -is [System.Runtime.InteropServices.COMException]) {
            $hresult = '0x{0:X8}' -f $current.ErrorCode
            $exception = $current
        }
        $current = $current.InnerException
    }
    $message = $exception.Message
    if ($null -eq $code) {
        if ($message -match 'missing a section declaration') { $code = 'SectionNotRegistered' }
        elseif ($message -match 'has changed on disk') { $code = 'FingerprintMismatch' }
        elseif ($hresult -eq '0x80070021' -or $message -match 'cannot be used at this path|locked') { $code = 'SectionLocked' }
        elseif ($hresult -eq '0x800700B7' -or $message -match 'Cannot add duplicate collection entry') { $code = 'DuplicateKey' }
        elseif ($message -match 'Unrecognized attribute') { $code = 'UnknownAttribute' }
        elseif ($message -match 'Missing required attribute') { $code = 'InvalidValue' }
        elseif ($message -match 'Unrecognized element') { $code = 'UnknownElement' }
        elseif ($hresult -eq '0x8007000D' -or $message -match 'not well-formed|Cannot read configuration file') { $code = 'ConfigFileError' }
        elseif ($hresult -eq '0x80070057') { $code = 'InvalidValue' }
        else { $code = 'ScriptError' }
    }
    $body = [ordered]@{ code = $code; message = $message }
    if ($hresult) { $body['hresult'] = $hresult }
    foreach ($key in $details.Keys) { $body[$key] = $details[$key] }
    return @{ error = $body }
}
