@{
    Synopsis    = 'OutlookQrGuard モジュールとそのネイティブ エンジンのバージョンを表示します。'
    Description = @'
Get-OutlookQrGuardVersion は、マニフェストに記載されたモジュールのバージョン、コマンドレット アセンブリのバージョン、そして実際の処理を行うネイティブ エンジンのバージョン・対象プラットフォーム・ビルド プロファイルを返します。

3 つのバージョンは同じ値から作られるため、必ず一致します。一致しない場合は、モジュール フォルダーに別々のビルドのファイルが混在しています。その場合はモジュールを再インストールしてください。
'@
    Parameters  = @{}
    Notes       = '接続は不要で、ネットワークにもアクセスしません。問題を報告するときは、このコマンドの出力を添えてください。'
    Links       = @('Connect-OutlookQrGuard')
    Inputs      = @('None')
    Examples    = @(
        @{
            Title   = 'バージョンを表示する'
            Code    = 'Get-OutlookQrGuardVersion'
            Remarks = 'モジュールとエンジンのバージョン、エンジンのビルド対象プラットフォーム、リリース ビルドかどうかを表示します。'
        }
        @{
            Title   = 'モジュール フォルダーに不整合がないか確認する'
            Code    = '$v = Get-OutlookQrGuardVersion; $v.ModuleVersion -eq $v.EngineVersion'
            Remarks = 'マニフェストとネイティブ エンジンが同じビルドのものであれば True を返します。'
        }
    )
}
