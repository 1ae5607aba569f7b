# winflask.iis shared helpers: sections stored in another file through configSource. Function definitions
# only; inlined by the transport where a script has '# winflask-include: common/configsource.ps1'.
# MWA reads and writes such a section through the referenced file by itself; these helpers only tell the
# scripts which file that is, so that it is fingerprinted, backed up and reported as "file"
# (docs/powershell.md "configSource"). configSource is metadata (IAppHostElement::GetMetadata /
# SetMetadata 'configSource'), not a schema attribute: GetAttributeValue('configSource') cannot be relied
# on, so the owning file is read as plain XML (System.Xml, loaded in every Windows PowerShell 5.1 session).

function Get-ConfigSourceMap {
    # One entry per element of the section in $File that has a configSource, at the root or in a
    # <location>: @{ Location = <location path, '' for the root>; Source = <full path of the named file> }.
    param([string]$File, [string]$SectionPath)
    $found = New-Object System.Collections.Generic.List[object]
    if (-not [System.IO.File]::Exists($File)) { return , $found.ToArray() }
    $document = New-Object System.Xml.XmlDocument
    $document.XmlResolver = $null
    try { $document.Load($File) }
    catch {
        throw (New-WinflaskError 'ConfigFileError' "Cannot read configuration file ${File}: $($_.Exception.Message)" @{ file = $File; hresult = '0x8007000D' })
    }
    $element = [System.Xml.XmlNodeType]::Element
    $containers = New-Object System.Collections.Generic.List[object]
    $containers.Add(@{ Location = ''; Node = $document.DocumentElement })
    foreach ($child in $document.DocumentElement.ChildNodes) {
        if ($child.NodeType -eq $element -and $child.LocalName -ceq 'location') {
            $path = $child.GetAttribute('path').Trim().Trim('/')
            if ($path -eq '.') { $path = '' }
            $containers.Add(@{ Location = $path; Node = $child })
        }
    }
    foreach ($container in $containers) {
        $node = $container.Node
        foreach ($part in $SectionPath.Split('/')) {
            $next = $null
            foreach ($child in $node.ChildNodes) {
                if ($child.NodeType -eq $element -and $child.LocalName -ceq $part) { $next = $child; break }
            }
            $node = $next
            if ($null -eq $node) { break }
        }
        if ($null -eq $node) { continue }
        $source = $node.GetAttribute('configSource')
        if ($source) {
            $folder = [System.IO.Path]::GetDirectoryName($File)
            $found.Add(@{ Location = $container.Location; Source = [System.IO.Path]::Combine($folder, $source) })
        }
    }
    return , $found.ToArray()
}

function Get-SectionFile {
    # The file a write to the section at this address changes: the file the target level's element names
    # with configSource, else the address's own file.
    param($Address, [string]$SectionPath, [string]$Location)
    $level = ''
    if ($null -eq $Address.Site) { $level = $Location.Trim().Trim('/') }
    foreach ($entry in (Get-ConfigSourceMap $Address.File $SectionPath)) {
        if ($entry.Location -eq $level) { return $entry.Source }
    }
    return $Address.File
}

function Get-ConsultedFile {
    # Every file a read of the section consults: the address's files, each followed by the configSource
    # files its elements of the section name (any level: more files hashed is harmless, one missed is not).
    param($Address, [string]$SectionPath)
    $files = New-Object System.Collections.Generic.List[string]
    foreach ($file in $Address.Files) {
        if (-not $files.Contains($file)) { $files.Add($file) }
        foreach ($entry in (Get-ConfigSourceMap $file $SectionPath)) {
            if (-not $files.Contains($entry.Source)) { $files.Add($entry.Source) }
        }
    }
    return , $files.ToArray()
}
