@{
    Synopsis    = 'Microsoft 365 テナント (Exchange Online と Microsoft Graph) にサインインし、ほかの OutlookQrGuard コマンドレットで使うセッションを作ります。'
    Description = @'
Connect-OutlookQrGuard は、-Organization で指定したテナントに Entra ID でサインインし、セッション オブジェクトを返します。新しいセッションは「現在のセッション」になり、ほかの OutlookQrGuard コマンドレットは -Session を指定しない限りこのセッションを使います。もう一度接続すると新しいセッションが現在のセッションになりますが、それまでのセッションも切断するまでは -Session で引き続き使えます。

サインイン方法は次のいずれか 1 つを選びます (それぞれがパラメーター セットです)。

- クライアント シークレット (-AppId、-ClientSecret): アプリの登録としてアプリ専用でサインインします。設定は簡単ですが、運用環境では証明書かマネージド ID をお勧めします。

- 証明書 (-AppId と、-CertificateFilePath・-Certificate・-CertificateThumbprint のいずれか): アプリ専用です。-CertificateFilePath には PFX ファイルを指定します。-CertificateThumbprint は Cert:\CurrentUser\My、次に Cert:\LocalMachine\My から証明書を探します。-Certificate と -CertificateThumbprint では秘密キーはその場所に置いたままで、PowerShell 側がそのキーでクライアント アサーションに署名します (後でトークンを更新するときも同じです)。そのため、エクスポートできないキー (スマート カードや HSM のキーを含む) も使えます。エンジンに渡るのは公開証明書と署名だけです。-CertificateFilePath では、エンジンが PFX を読み込んで自分で署名します。

- マネージド ID (-ManagedIdentity、必要に応じて -ManagedIdentityAccountId): アプリ専用で、Azure Automation の Runbook (および App Service や Functions) 向けです。トークンはホストが IDENTITY_ENDPOINT と IDENTITY_HEADER で知らせるエンドポイントから取得するため、保管やローテーションが必要なシークレットがありません。Azure VM のメタデータ エンドポイント (IMDS) は使いません。

- ブラウザー (-Interactive、-AppId。対話型のプロンプトで資格情報のパラメーターを指定しないときの既定): 委任のサインインです。既定のブラウザーで Entra ID のサインイン ページが開き、自分の管理者アカウントでサインインします。MFA や条件付きアクセスが自分に適用されます。PKCE 付きの認可コード フローと http://localhost の一時的なリスナーを使うため、デバイス コード フローをブロックしているテナントでも使えます。ブラウザーを開けない場合 (SSH 接続など) はサインイン用のアドレスが表示されるので、同じコンピューターのブラウザーで開いてください。-AppId には、リダイレクト URI http://localhost を登録した自テナントのパブリック クライアント アプリを指定します (注を参照)。Runbook や pwsh -NonInteractive では、-Interactive を明示したときだけブラウザーを使います。

- デバイス コード (-Device、-AppId): 委任のサインインです。表示された Web ページを開いてコードを入力し、自分の管理者アカウントでサインインします。MFA や条件付きアクセスが自分に適用されます。操作する人がその場にいる必要があるため、Runbook、スケジュール実行、pwsh -NonInteractive では使えません。

- アクセス トークン (-AccessToken、-GraphAccessToken): ほかの方法で取得したトークンを使います。更新できないため、トークンの有効期限が切れるとセッションは使えなくなります。

Connect-OutlookQrGuard は、Exchange Online の組織構成を読み取ってサインインを確認します。そのため、シークレットの誤り、証明書の未登録、アクセス許可やロールの不足は、エクスポートの途中ではなくこの時点でエラーになり、メッセージに対処方法が示されます。Microsoft Graph は Revoke-OutlookMobileSignin だけが使い、そのトークンはそこで初めて要求されます。Graph のアクセス許可の不足は、最初の取り消しで分かります。

-Organization にはテナント ID か、テナントのいずれかのドメイン (contoso.onmicrosoft.com や contoso.com などのカスタム ドメイン) を指定します。どれを指定しても、Exchange Online の呼び出しはサインイン トークンから読んだテナント ID 宛てに送ります。カスタム ドメイン宛てでは、1 ページを超える一覧が "Expired or Invalid pagination request" で失敗するためです。

トークンはこの PowerShell プロセスのメモリにだけ保持され、ディスクには書き込まれません。シークレット (クライアント シークレット、証明書のパスワード、トークン) が詳細出力、デバッグ出力、エラー メッセージに表示されることはありません。
'@
    Parameters  = @{
        InputObject = 'パイプラインから渡すテナントの行です (通常は Import-Csv tenants.csv)。Organization (または TenantId)、AppId、そして CertificateThumbprint、CertificatePath (PFX のパスワードは -CertificatePassword で全行共通に指定)、ManagedIdentity (True/False、Yes/No、1/0 または空欄。ManagedIdentity の場合 AppId はユーザー割り当てマネージド ID を表します) のうちちょうど 1 つを含めます。行ごとに 1 つのセッションを出力します。接続できない行はテナント名を含む非終了エラーとして報告され、他の行は続行します (-ErrorVariable で収集できます)。Organization 列はプロパティ名で -TenantId にバインドされます。その他の列は行から名前で読み取ります。CSV の行は空の列も含めてすべての列を持つため、PowerShell はそれらを 1 つのパラメーター セットにバインドできないからです。'
        TenantId                   = 'テナント。テナント ID (GUID) か、テナントのドメイン (contoso.onmicrosoft.com またはカスタム ドメイン) の 1 つです。どのサインイン方法でも指定できます。別名: -Organization、-Tenant。'
        AppId                      = 'サインインに使うアプリの登録のアプリケーション (クライアント) ID (シークレットと証明書の場合)、または -Interactive と -Device で使うパブリック クライアント アプリの ID。-ManagedIdentity と -AccessToken では使いません。'
        ClientSecret               = 'アプリの登録の [証明書とシークレット] ページにあるクライアント シークレットの「値」(シークレット ID ではありません)。Read-Host -AsSecureString や Get-Secret などで得た SecureString で指定します。'
        CertificateFilePath        = 'アプリの証明書と RSA 秘密キーを含む PFX (PKCS#12) ファイルのパス。証明書の公開キー部分をアプリの登録にアップロードしておく必要があります。'
        CertificatePassword        = '-CertificateFilePath で指定した PFX ファイルのパスワード (SecureString)。パスワードのない PFX では省略します。'
        Certificate                = 'RSA 秘密キーを持つ X509Certificate2 オブジェクト (Get-Item Cert:\CurrentUser\My\<拇印> などで取得)。キーはエクスポート可能でなくてもかまいません (スマート カードや HSM のキーも使えます)。アサーションは、セッション中のトークン更新も含めて、キーをその場所に置いたまま署名します。'
        CertificateThumbprint      = 'Cert:\CurrentUser\My または Cert:\LocalMachine\My にある証明書の SHA-1 拇印 (空白は無視されます)。RSA 秘密キーが必要ですが、エクスポート可能である必要はありません。アサーションはキーをその場所に置いたまま署名します。'
        ManagedIdentity            = 'このコードを実行している Azure Automation アカウント (または App Service / Functions) のマネージド ID としてサインインします。Runbook ではこれを使ってください。管理すべきシークレットがありません。'
        ManagedIdentityAccountId   = 'ユーザー割り当てマネージド ID のクライアント ID。省略するとシステム割り当てマネージド ID を使います。'
        Interactive                = '既定のブラウザーで自分のアカウントでサインインします (PKCE 付きの認可コード フロー、応答は http://localhost で受け取ります)。対話型のプロンプトでほかのサインイン パラメーターを指定しない場合の既定です。非対話型のホストからブラウザーを使うときは明示してください。エラーには原因が示されます: ブラウザーでのキャンセル、管理者の同意がない (AADSTS65001)、条件付きアクセスによるブロック (AADSTS53003)、別のテナントのアカウント (AADSTS50020)、時間切れ。'
        TimeoutSeconds             = '-Interactive でブラウザーのサインイン完了を待つ秒数 (10 ～ 3600、既定は 300)。'
        Device                     = 'デバイス コード フローでサインインします。Web アドレスとコードが表示されるので、ブラウザーでサインインを完了するまで待ちます。対話型のセッションでのみ使えます。'
        AccessToken                = 'ほかの方法で取得した Exchange Online のアクセス トークン (グローバル クラウドでは対象ユーザーが https://outlook.office365.com のもの) を SecureString で指定します。接続の確認に Exchange を使うため、接続には必須です。更新はできません。'
        GraphAccessToken           = '-AccessToken で開いたセッションで Revoke-OutlookMobileSignin を使うための Microsoft Graph アクセス トークン (SecureString)。更新はできません。'
        Environment                = 'Microsoft のクラウド: Global (既定)、USGovGCCHigh、USGovDoD、China。サインイン、Exchange Online、Graph の各エンドポイントが決まります。'
        UseRS256                   = '証明書のクライアント アサーションを、既定の PS256 + x5t#S256 ではなく RS256 + x5t (SHA-1) ヘッダーで署名します。既定の方式が拒否される環境でだけ使ってください。'
        UserPrincipalName          = '委任のセッション (-Interactive、-Device、-AccessToken) で、サインインした管理者のユーザー プリンシパル名。Exchange Online が要求のルーティングに使います。-Interactive ではサインイン ページのアカウント欄に入力されるだけで、実際にサインインしたアカウントが使われます。既定ではサインイン情報から読み取ります。アプリ専用のセッションでは無視されます。'
        AuthorityUri               = 'Entra ID のサインイン エンドポイントを置き換えます (既定は -Environment で決まります)。そのクラウドのホスト (Global では login.microsoftonline.com) か、ローカルのテスト用テナント エミュレーターなどのループバック アドレスである必要があります。それ以外のホストには -AllowCustomEndpoint が必要です。別のクラウドのサインイン ホスト (Global に対する login.microsoftonline.us など) は常に拒否されます。あるクラウドのトークンは別のクラウドでは受け付けられないため、クラウドは -Environment で選んでください。Microsoft 365 に接続するときは指定しません。'
        ExchangeUri                = 'Exchange Online のエンドポイントを置き換えます (既定は -Environment で決まります)。そこに送る Exchange のトークンは常に -Environment のクラウドのものです。そのクラウドの Exchange ホスト (Global では outlook.office365.com) かループバックである必要があり、それ以外のホストには -AllowCustomEndpoint が必要です。別のクラウドの Exchange ホストは常に拒否されます。テスト用のテナント エミュレーター向けで、Microsoft 365 に接続するときは指定しません。'
        GraphUri                   = 'Microsoft Graph のエンドポイントを置き換えます (既定は -Environment で決まります)。そこに送る Graph のトークンは常に -Environment のクラウドのものです。そのクラウドの Graph ホスト (Global では graph.microsoft.com) かループバックである必要があり、それ以外のホストには -AllowCustomEndpoint が必要です。別のクラウドの Graph ホストは常に拒否されます。テスト用のテナント エミュレーター向けで、Microsoft 365 に接続するときは指定しません。'
        AllowCustomEndpoint        = '-AuthorityUri、-ExchangeUri、-GraphUri に、クラウド自身のホストでもループバックでもないホスト (自分で運用するリバース プロキシなど) を指定できるようにします。サインインのシークレットとトークンがそれらのホストに送られるため、Connect-OutlookQrGuard はそのホスト名を挙げて 1 回警告します。別のクラウドのホストは、このスイッチがあっても拒否されます。'
        TrustedRootCertificatePath = 'HTTPS で追加で信頼するルート証明書の PEM ファイルのパス。システムの信頼されたルートに加えて使われます。テスト用エミュレーターの CA や、システムに CA がインストールされていない TLS 検査プロキシで使います。'
        AllowInsecureLoopback      = '127.0.0.1 / localhost に対してだけ、平文の HTTP を許可します (--http で起動したローカルのエミュレーター用)。それ以外のホストへの HTTP は常に拒否されます。'
        Proxy                      = '使用する HTTP プロキシの URI (例: http://proxy.contoso.com:8080)。既定ではシステムのプロキシ設定が使われます。URI に書かれた資格情報 (http://user:password@proxy:8080) は URI から取り除かれ、Basic 認証としてプロキシに送られます。メッセージやログに出るのは資格情報を除いた URI です。-ProxyCredential の使用をお勧めします。'
        ProxyCredential            = '-Proxy で指定したプロキシのユーザー名とパスワード (Basic 認証)。例: (Get-Credential)。-Proxy の URI に書かれた資格情報より優先され、メッセージ、ログ、エラーには出ません。Windows 統合認証 (NTLM/Kerberos) のプロキシには対応していません。'
    }
    Inputs      = @('System.Management.Automation.PSObject: テナントの行 (Organization、AppId、CertificateThumbprint / CertificatePath / ManagedIdentity)。例: Import-Csv の出力。')
    Examples    = @(
        @{
            Title   = 'クライアント シークレットで接続する'
            Code    = @'
$secret = Read-Host -Prompt 'Client secret' -AsSecureString
Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -ClientSecret $secret
'@
            Remarks = 'アプリの登録としてアプリ専用でサインインし、そのセッションを現在のセッションにします。アプリには Exchange.ManageAsApp と Exchange 管理者ロールが必要です (「注意事項」を参照)。'
        }
        @{
            Title   = 'ローカルのテナント エミュレーター (デモ) に接続する'
            Code    = @'
# 別のウィンドウで tenant-emulator --ready-file ./emulator.json を実行しておきます
$ready  = Get-Content ./emulator.json -Raw | ConvertFrom-Json
$app    = $ready.credentials.secretApp
$secret = ConvertTo-SecureString $app.clientSecret -AsPlainText -Force
Connect-OutlookQrGuard -Organization $ready.credentials.tenantDomain -AppId $app.clientId -ClientSecret $secret `
    -AuthorityUri $ready.baseUrl -ExchangeUri $ready.baseUrl -GraphUri $ready.baseUrl `
    -TrustedRootCertificatePath $ready.caCertificatePath
'@
            Remarks = 'エミュレーターは、サインイン、Exchange、Graph を 1 つのベース URL と独自の CA で提供します。セッションの Environment は Global (custom endpoints) になります (トークンは Global のもの、ホストはエミュレーターのものです。ループバックなので -AllowCustomEndpoint は不要です)。このモジュールのヘルプにあるほかの例は、この接続のまま試せます。'
        }
        @{
            Title   = 'PFX ファイルの証明書で接続する'
            Code    = @'
$password = Read-Host -Prompt 'PFX password' -AsSecureString
Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -CertificateFilePath ./OutlookQrGuard.pfx -CertificatePassword $password
'@
            Remarks = '証明書によるアプリ専用のサインインです。先に証明書の公開キー部分 (.cer) をアプリの登録にアップロードしてください。'
        }
        @{
            Title   = 'Windows の証明書ストアにある証明書で接続する'
            Code    = 'Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -CertificateThumbprint 2316E13BED8B833F0F94D8892487934D9B06E01A'
            Remarks = 'Cert:\CurrentUser\My、次に Cert:\LocalMachine\My から証明書を探します。秘密キーはエクスポート不可 (New-SelfSignedCertificate -KeyExportPolicy NonExportable で作成したものやスマート カード上のもの) でもかまいません。キーはその場所で署名します。'
        }
        @{
            Title   = 'Azure Automation の Runbook でマネージド ID を使って接続する'
            Code    = @'
Connect-OutlookQrGuard -ManagedIdentity -Organization contoso.onmicrosoft.com
Test-OutlookQrSignin
'@
            Remarks = 'Automation アカウントのシステム割り当てマネージド ID を使います。ユーザー割り当ての ID では -ManagedIdentityAccountId <クライアント ID> を追加します。事前に、その ID に Exchange.ManageAsApp と Exchange 管理者ロール (取り消しを行う場合は User.RevokeSessions.All も) を付与しておいてください。'
        }
        @{
            Title   = '自分の管理者アカウントでブラウザーからサインインする'
            Code    = 'Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 0b7c5d3a-2f41-4e9b-8c6d-1a2b3c4d5e6f -UserPrincipalName admin@contoso.com'
            Remarks = 'アカウントが入力された状態でサインイン ページがブラウザーで開きます。サインインが完了すると (または -TimeoutSeconds が過ぎると) コマンドレットが戻ります。-AppId には、リダイレクト URI http://localhost を登録した自テナントのパブリック クライアント アプリを指定します。pwsh -NonInteractive から同じことをするには -Interactive を追加します。'
        }
        @{
            Title   = 'デバイス コードで接続する'
            Code    = 'Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -AppId 0b7c5d3a-2f41-4e9b-8c6d-1a2b3c4d5e6f -Device'
            Remarks = 'Web アドレスとコードが表示されます。任意のブラウザーでそのアドレスを開いてコードを入力し、サインインすると、コマンドレットが戻ります。-AppId には自分のテナントで登録したパブリック クライアント アプリを指定します。'
        }
        @{
            Title   = '2 つのテナントを扱う'
            Code    = @'
$contoso  = Connect-OutlookQrGuard -Organization contoso.onmicrosoft.com -ManagedIdentity
$fabrikam = Connect-OutlookQrGuard -Organization fabrikam.onmicrosoft.com -AppId 6d5b2f1e-0c2a-4a8e-9a55-3b7f2c1d9e40 -CertificateThumbprint 2316E13BED8B833F0F94D8892487934D9B06E01A
Test-OutlookQrSignin -Session $contoso
Test-OutlookQrSignin -Session $fabrikam
'@
            Remarks = 'どのコマンドレットも -Session を受け取ります。指定しない場合は、最後に接続したセッション (この例では fabrikam) が使われます。'
        }
    )
    Notes       = @'
アクセス許可: アプリ専用のサインイン (クライアント シークレット、証明書、マネージド ID) には、Office 365 Exchange Online の Exchange.ManageAsApp アプリケーションのアクセス許可 (管理者の同意付き) と、Entra ID でアプリ (または ID) のサービス プリンシパルに割り当てた Exchange 管理者ロールが必要です。セッションを取り消すには、さらに Microsoft Graph の User.RevokeSessions.All アプリケーションのアクセス許可 (管理者の同意付き) が必要です。マネージド ID には New-MgServicePrincipalAppRoleAssignment で両方を付与し、Entra ID でロールを割り当てます。マネージド ID のエンドポイントはトークンをキャッシュするため、アクセス許可の変更が反映されるまで最大で 24 時間ほどかかることがあります。

委任のサインイン (-Interactive、-Device) には、リダイレクト URI http://localhost (モバイル アプリケーションとデスクトップ アプリケーション) を登録したパブリック クライアント アプリが必要です (-Device では「パブリック クライアント フローを許可する」も有効にします)。委任されたアクセス許可として Exchange.Manage (Office 365 Exchange Online) と User.RevokeSessions.All (Microsoft Graph)、Entra ID 側の機能には User.Read.All、Policy.Read.All、Policy.ReadWrite.ConditionalAccess、AuditLog.Read.All、Group.Read.All を追加し、管理者の同意を与えてください (Microsoft Graph PowerShell での手順は README.md にあります)。サインインする人には Exchange 管理者ロールが、取り消しを行うにはユーザー管理者などのロールも必要です。

セッションは保存されません。新しい PowerShell プロセスや Runbook のジョブごとに Connect-OutlookQrGuard を実行してください。Disconnect-OutlookQrGuard でトークンは破棄されます。
'@
    Links       = @('Disconnect-OutlookQrGuard', 'Test-OutlookQrSignin', 'Get-OutlookQrGuardVersion')
}
