# NewApi build script for PowerShell (same verbs as build.sh): publish (default), run, test.
param([string]$Verb = "publish")
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
$rid = if ($IsLinux) { if ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq "Arm64") { "linux-arm64" } else { "linux-x64" } }
       elseif ($IsMacOS) { "osx-arm64" } else { "win-x64" }

function Publish {
    if (Test-Path wwwroot/package.json) {
        Push-Location wwwroot
        if (-not (Test-Path node_modules)) { npm ci --no-audit --no-fund --loglevel=error }
        npm run build --silent
        Pop-Location
    }
    dotnet publish NewApi.csproj -c Release -r $rid -o bin/publish -nologo -v:q -clp:ErrorsOnly
    if ($LASTEXITCODE -ne 0) { throw "publish failed" }
    New-Item -ItemType Directory -Force dist | Out-Null
    $exe = if ($IsWindows) { "newapi.exe" } else { "newapi" }
    Copy-Item "bin/publish/$exe" "dist/$exe" -Force
}

function Get-TrxCounts($file) {
    if (-not (Test-Path $file)) { return @(0, 0) }
    [xml]$x = Get-Content $file
    $c = $x.TestRun.ResultSummary.Counters
    return @([int]$c.passed, [int]$c.failed)
}

switch ($Verb) {
    "publish" { Publish }
    "run" { Publish; & ./dist/newapi serve --listen "0.0.0.0:3000" --data-dir ./data }
    "test" {
        Publish
        Remove-Item -Recurse -Force TestResults -ErrorAction SilentlyContinue
        $env:NEWAPI_BINARY = (Resolve-Path ./dist/newapi*).Path
        dotnet test tests/NewApi.Tests.csproj -c Debug --logger "trx;LogFileName=dotnet.trx" --results-directory TestResults -nologo -v:q
        $p, $f = Get-TrxCounts "TestResults/dotnet.trx"
        if ($p -eq 0 -and $f -eq 0 -and $LASTEXITCODE -ne 0) { $f = 1 }
        foreach ($suite in @("browser", "sdk")) {
            if (-not (Test-Path "tests/$suite/package.json")) { continue }
            Push-Location "tests/$suite"
            if (-not (Test-Path node_modules)) { npm ci --no-audit --no-fund --loglevel=error | Out-Null }
            $out = (node --test --test-reporter=tap 2>&1) -join "`n"
            Pop-Location
            $np = [regex]::Matches($out, '(?m)^# pass (\d+)') | Select-Object -Last 1
            $nf = [regex]::Matches($out, '(?m)^# fail (\d+)') | Select-Object -Last 1
            if (-not $np -and -not $nf) { $f += 1; continue }
            if ($np) { $p += [int]$np.Groups[1].Value }
            if ($nf) { $f += [int]$nf.Groups[1].Value }
        }
        Write-Output "$p passed, $f failed"
        if ($f -ne 0) { exit 1 }
    }
    default { Write-Error "usage: ./build.ps1 [publish|run|test]"; exit 2 }
}
