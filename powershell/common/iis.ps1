# winflask.iis shared helpers: IIS configuration through Microsoft.Web.Administration. Function
# definitions only; inlined by the transport where a script has '# winflask-include: common/iis.ps1'
# (docs/powershell.md). Uses the script's $ApphostPrefix ('MACHINE/WEBROOT/APPHOST').

function Get-ApphostConfigPath {
    # applicationHost.config as the config system opens it. Shared configuration: redirection.config in the
    # same folder, <configurationRedirection enabled="true" path="\\server\share">, moves it (and
    # administration.config) to that folder, which MWA then reads and writes ("ConfigurationRedirectionSection
    # Class", learn.microsoft.com/iis/wmi-provider). Returns @{ Path; Local; Redirected = $null | the folder }.
    param([string]$ConfigFolder)
    $file = [System.IO.Path]::Combine($ConfigFolder, 'applicationHost.config')
    $local = @{ Path = $file; Local = $file; Redirected = $null }
    $redirection = [System.IO.Path]::Combine($ConfigFolder, 'redirection.config')
    if (-not [System.IO.File]::Exists($redirection)) { return $local }
    $xml = New-Object System.Xml.XmlDocument
    $xml.XmlResolver = $null
    $xml.Load($redirection)
    $node = $xml.SelectSingleNode('/configuration/configurationRedirection')
    if ($null -eq $node) { return $local }
    $enabled = $false
    if (-not [bool]::TryParse($node.GetAttribute('enabled').Trim(), [ref]$enabled) -or -not $enabled) { return $local }
    $folder = [Environment]::ExpandEnvironmentVariables($node.GetAttribute('path').Trim())
    if ($folder -eq '') { return $local }
    $path = $null
    try { $path = [System.IO.Path]::Combine($folder, 'applicationHost.config') } catch { $path = "$folder\applicationHost.config" }
    return @{ Path = $path; Local = $file; Redirected = $folder }
}

function Get-IisPaths {
    # Where IIS keeps its config and MWA; IISNotInstalled when either is missing. Apphost follows
    # redirection.config (shared configuration): a redirected file this connection cannot open is refused
    # (SharedConfiguration), since it could be neither fingerprinted nor backed up (docs/powershell.md).
    $inetsrv = [System.IO.Path]::Combine($env:windir, 'System32\inetsrv')
    $configFolder = [System.IO.Path]::Combine($inetsrv, 'config')
    $apphost = Get-ApphostConfigPath $configFolder
    $mwa = [System.IO.Path]::Combine($inetsrv, 'Microsoft.Web.Administration.dll')
    if (-not [System.IO.File]::Exists($apphost.Local) -or -not [System.IO.File]::Exists($mwa)) {
        throw (New-WinflaskError 'IISNotInstalled' "IIS is not installed: $($apphost.Local) not found")
    }
    if ($null -ne $apphost.Redirected -and -not [System.IO.File]::Exists($apphost.Path)) {
        $redirection = [System.IO.Path]::Combine($configFolder, 'redirection.config')
        throw (New-WinflaskError 'SharedConfiguration' "IIS uses shared configuration: $redirection redirects to '$($apphost.Redirected)', and '$($apphost.Path)' cannot be read from this connection (a share needs credentials the connection can pass on: become, CredSSP or Kerberos delegation)" @{ file = $apphost.Path; redirection = $redirection })
    }
    return @{ Apphost = $apphost.Path; Mwa = $mwa; Redirected = $apphost.Redirected }
}

function Get-ServerManager {
    # Loads MWA from inetsrv (not the WebAdministration module: its cmdlets mangle {...} values).
    param([string]$MwaPath)
    $null = [System.Reflection.Assembly]::LoadFrom($MwaPath)
    return New-Object Microsoft.Web.Administration.ServerManager
}

function Get-Fingerprint {
    # SHA-256 (lower-case hex) of a config file, $null when the file does not exist yet.
    param([string]$Path)
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $null }
    return (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

function Find-SectionDefinition {
    # Walks <configSections> (RootSectionGroup) to the <section> declaration; $null when absent.
    param($Config, [string]$SectionPath)
    $parts = $SectionPath.Split('/')
    $group = $Config.RootSectionGroup
    $prefix = ''
    for ($i = 0; $i -lt $parts.Length - 1; $i++) {
        $prefix = if ($prefix) { "$prefix/$($parts[$i])" } else { $parts[$i] }
        $next = $null
        foreach ($candidate in $group.SectionGroups) {
            if ($candidate.Name -eq $parts[$i] -or $candidate.Name -eq $prefix) { $next = $candidate; break }
        }
        if ($null -eq $next) { return $null }
        $group = $next
    }
    foreach ($definition in $group.Sections) {
        if ($definition.Name -eq $parts[-1] -or $definition.Name -eq $SectionPath) { return $definition }
    }
    return $null
}

function Resolve-PhysicalPath {
    # Physical folder of a virtual path of a site, from system.applicationHost/sites
    # (longest matching application, then longest matching virtual directory).
    param($Site, [string]$VirtualPath)
    $app = $null
    foreach ($candidate in $Site.Applications) {
        $prefix = $candidate.Path.TrimEnd('/')
        if ($VirtualPath -eq $candidate.Path -or $prefix -eq '' -or $VirtualPath -eq $prefix -or $VirtualPath.StartsWith("$prefix/", [System.StringComparison]::OrdinalIgnoreCase)) {
            if ($null -eq $app -or $candidate.Path.Length -gt $app.Path.Length) { $app = $candidate }
        }
    }
    if ($null -eq $app) { return $null }
    $rest = $VirtualPath.Substring($app.Path.TrimEnd('/').Length)
    if ($rest -eq '') { $rest = '/' }
    $vdir = $null
    foreach ($candidate in $app.VirtualDirectories) {
        $prefix = $candidate.Path.TrimEnd('/')
        if ($rest -eq $candidate.Path -or $prefix -eq '' -or $rest -eq $prefix -or $rest.StartsWith("$prefix/", [System.StringComparison]::OrdinalIgnoreCase)) {
            if ($null -eq $vdir -or $candidate.Path.Length -gt $vdir.Path.Length) { $vdir = $candidate }
        }
    }
    if ($null -eq $vdir) { return $null }
    $tail = $rest.Substring($vdir.Path.TrimEnd('/').Length).Trim('/')
    $physical = [System.Environment]::ExpandEnvironmentVariables($vdir.PhysicalPath).TrimEnd('\')
    if ($tail) { $physical = Join-Path $physical ($tail.Replace('/', '\')) }
    return @{ Physical = $physical; IsApplication = ($rest -eq '/') }
}

function Resolve-Address {
    # pspath + location -> which file a write lands in, which files a read consults, the site/path.
    param($Manager, [string]$ApphostFile, [string]$PsPath, [string]$Location)
    if (-not $PsPath.StartsWith($ApphostPrefix, [System.StringComparison]::OrdinalIgnoreCase)) {
        throw (New-WinflaskError 'PathNotFound' "pspath '$PsPath' must start with $ApphostPrefix" @{ pspath = $PsPath })
    }
    $rest = $PsPath.Substring($ApphostPrefix.Length).Trim('/')
    $address = @{ Site = $null; VirtualPath = '/'; File = $ApphostFile; Files = @($ApphostFile); IsApplication = $true }
    if ($rest -eq '') { return $address }
    if ($Location) {
        throw (New-WinflaskError 'PathNotFound' "location '$Location' is only valid with pspath $ApphostPrefix" @{ pspath = $PsPath })
    }
    $siteName, $pathParts = $rest.Split('/')
    $site = $null
    foreach ($candidate in $Manager.Sites) { if ($candidate.Name -eq $siteName) { $site = $candidate; break } }
    if ($null -eq $site) {
        throw (New-WinflaskError 'SiteNotFound' "site '$siteName' does not exist" @{ site = $siteName })
    }
    $virtualPath = '/' + (@($pathParts) -join '/')
    $address.Site = $site.Name
    $address.VirtualPath = $virtualPath
    # Every web.config from the site root down to the target path is consulted by a read.
    $files = New-Object System.Collections.Generic.List[string]
    $files.Add($ApphostFile)
    $walk = ''
    $steps = @('') + @($pathParts | Where-Object { $_ })
    foreach ($step in $steps) {
        $walk = if ($step) { "$walk/$step" } else { '/' }
        $walk = $walk.Replace('//', '/')
        $resolved = Resolve-PhysicalPath $site $walk
        if ($null -eq $resolved -or -not (Test-Path -LiteralPath $resolved.Physical -PathType Container)) {
            throw (New-WinflaskError 'PathNotFound' "path '$walk' of site '$($site.Name)' has no physical folder" @{ site = $site.Name; path = $walk })
        }
        $webConfig = Join-Path $resolved.Physical 'web.config'
        if (-not $files.Contains($webConfig)) { $files.Add($webConfig) }
        $address.File = $webConfig
        $address.IsApplication = $resolved.IsApplication
    }
    $address.Files = $files.ToArray()
    return $address
}

function Get-ConfigSection {
    # The MWA section at an address: APPHOST (+ <location>) or a site/app web.config.
    param($Manager, $Address, [string]$SectionPath, [string]$Location)
    if ($null -eq $Address.Site) {
        $config = $Manager.GetApplicationHostConfiguration()
        # The commas keep PowerShell from unrolling a returned element should it be enumerable (about_Return).
        if ($Location) { return , $config.GetSection($SectionPath, $Location) }
        return , $config.GetSection($SectionPath)
    }
    return , $Manager.GetWebConfiguration($Address.Site, $Address.VirtualPath).GetSection($SectionPath)
}

function Test-SectionLocked {
    # True when a write at this address would be refused: the section is locked for the path
    # (overrideModeDefault/overrideMode Deny -> HRESULT 0x80070021) or allowDefinition forbids it.
    param($Manager, $Definition, $Section, $Address, [string]$SectionPath, [string]$Location)
    $allow = "$($Definition.AllowDefinition)"
    if ($allow -eq 'MachineOnly' -or $allow -eq 'MachineToWebRoot') { return $true }
    if ($null -eq $Address.Site) {
        if (-not $Location) { return $false }
        # <location path="Site"> in applicationHost.config: overrideModeDefault does not apply
        # (same file), but AppHostOnly sections and allowLocation="false" do.
        if ($allow -eq 'AppHostOnly') { return $true }
        if ("$($Definition.AllowLocation)" -eq 'false') { return $true }
        return $false
    }
    if ($allow -eq 'AppHostOnly') { return $true }
    if ($allow -eq 'MachineToApplication' -and -not $Address.IsApplication) { return $true }
    if ($Section.IsLocked) { return $true }
    # The mode applicationHost.config gives this path (overrideModeDefault + <location overrideMode>).
    $locationPath = ($Address.Site + $Address.VirtualPath).TrimEnd('/')
    $apphostSection = $Manager.GetApplicationHostConfiguration().GetSection($SectionPath, $locationPath)
    return ("$($apphostSection.OverrideModeEffective)" -eq 'Deny')
}

function Format-TimeSpan {
    # "hh:mm:ss", "d.hh:mm:ss" past a day, fraction only when present without trailing zeros.
    param([TimeSpan]$Value)
    $text = $Value.ToString('c')
    if ($text.Contains('.') -and $text.LastIndexOf('.') -gt $text.LastIndexOf(':')) { $text = $text.TrimEnd('0').TrimEnd('.') }
    return $text
}

function ConvertTo-JsonValue {
    # Typed value of an attribute as the contract wants it (enum/flags names, timeSpan text).
    param($Value, $Schema)
    if ($null -eq $Value) { return $null }
    switch ("$($Schema.Type)") {
        'enum' {
            if ($Value -is [string]) { return $Value }
            foreach ($entry in $Schema.GetEnumValues()) { if ([long]$entry.Value -eq [long]$Value) { return $entry.Name } }
            return [long]$Value
        }
        'flags' {
            if ($Value -is [string]) { return $Value }
            $number = [long]$Value
            $names = New-Object System.Collections.Generic.List[string]
            foreach ($entry in $Schema.GetEnumValues()) {
                $bit = [long]$entry.Value
                if ($number -eq 0 -and $bit -eq 0) { return $entry.Name }
                if ($bit -ne 0 -and ($number -band $bit) -eq $bit) { $names.Add($entry.Name) }
            }
            return ($names -join ', ')
        }
        'timeSpan' { return Format-TimeSpan ([TimeSpan]$Value) }
        'bool' { return [bool]$Value }
        default { return $Value }
    }
}
