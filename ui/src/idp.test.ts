import { describe, expect, it } from "vitest";
import { checkIdpUrl, ecrHostOf, IDPS, idpInfo, recognizeIdp, REGIONS, suggestProfileName } from "./idp";
import { isRegion } from "./validate";

describe("recognizeIdp", () => {
  it.each([
    ["https://acme.okta.com/home/amazon_aws/0oa1abcd/272", "okta"],
    ["https://acme.oktapreview.com/home/amazon_aws/0oa1abcd/272", "okta"],
    ["https://acme.okta-emea.com/home/amazon_aws/0oa1/272?fromHome=true", "okta"],
    ["https://login.acme.example/home/amazon_aws/0oa1/272", "okta"], // Okta custom domain
    ["https://launcher.myapps.microsoft.com/api/signin/8a2f?tenantId=72f9", "entra"],
    ["https://myapps.microsoft.com/signin/8a2f?tenantId=72f9", "entra"],
    ["https://login.microsoftonline.com/72f9/saml2", "entra"],
    ["https://auth.pingone.com.au/env/saml20/idp/startsso?spEntityId=urn:amazon:webservices", "ping"],
    ["https://acme.onelogin.com/launch/123456", "onelogin"],
    ["https://sts.acme.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices", "adfs"],
    ["https://accounts.google.com/o/saml2/initsso?idpid=C01&spid=123&forceauthn=false", "google"],
    ["https://id.acme.example/realms/corp/protocol/saml/clients/amazon-aws", "keycloak"],
    ["https://id.acme.example/auth/realms/corp/protocol/saml/clients/amazon-aws", "keycloak"],
    ["https://sso.connect.pingidentity.com/sso/sp/initsso?saasid=1&idpid=2", "ping"],
    ["https://auth.pingone.eu/abc/saml20/idp/startsso?spEntityId=urn:amazon:webservices", "ping"],
    ["https://fed.acme.example/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices", "ping"],
    ["https://acme.onelogin.com/trust/saml2/http-post/sso/123456", "onelogin"],
    ["https://sso.jumpcloud.com/saml2/aws", "jumpcloud"],
  ])("%s is %s", (url, id) => {
    expect(recognizeIdp(url)).toBe(id);
  });

  it("recognises a host without the scheme, and upper case", () => {
    expect(recognizeIdp("acme.okta.com/home/amazon_aws/0oa1/272")).toBe("okta");
    expect(recognizeIdp("HTTPS://ACME.ONELOGIN.COM/trust/saml2/http-post/sso/1")).toBe("onelogin");
  });

  it("does not guess", () => {
    expect(recognizeIdp("")).toBeNull();
    expect(recognizeIdp("not a url")).toBeNull();
    expect(recognizeIdp("https://idp.acme.example/aws")).toBeNull();
    expect(recognizeIdp("http://127.0.0.1:7000/")).toBeNull();
    // look-alike hosts are not the IdP's
    expect(recognizeIdp("https://okta.com.evil.example/x")).toBeNull();
    expect(recognizeIdp("https://notokta.com/x")).toBeNull();
  });

  it("every IdP has a hint and examples that it recognises itself, and that pass the check", () => {
    for (const i of IDPS) {
      expect(i.where.length).toBeGreaterThan(20);
      expect(idpInfo(i.id)).toBe(i);
      for (const ex of i.examples) {
        expect(recognizeIdp(ex)).toBe(i.id);
        const host = ex.replace(/HOST/g, "idp.acme.example").replace(/ORG/g, "acme");
        expect(checkIdpUrl(host)).toBeNull();
      }
    }
  });
});

describe("checkIdpUrl", () => {
  const check = (u: string) => checkIdpUrl(u);

  it("accepts an https IdP URL, with spaces around", () => {
    expect(check("  https://acme.okta.com/home/amazon_aws/0oa1/272 ")).toBeNull();
    expect(check("https://idp.acme.example/aws")).toBeNull();
  });

  it("wants a URL", () => {
    expect(check("")).toMatchObject({ severity: "error" });
    expect(check("   ")).toMatchObject({ severity: "error" });
    expect(check("okta")).toMatchObject({ severity: "error", message: expect.stringContaining("https://") });
    expect(check("https://acme.okta.com/home/amazon aws")).toMatchObject({ severity: "error", message: expect.stringContaining("spaces") });
  });

  it("offers https:// when the scheme is missing", () => {
    const p = check("acme.okta.com/home/amazon_aws/0oa1/272");
    expect(p).toMatchObject({ severity: "error", fix: "https://acme.okta.com/home/amazon_aws/0oa1/272" });
    expect(p!.message).toMatch(/add https:\/\//);
  });

  it("refuses other schemes", () => {
    expect(check("ftp://idp.acme.example/aws")).toMatchObject({ severity: "error", message: expect.stringContaining("ftp") });
    expect(check("file:///etc/passwd")?.severity).toBe("error");
  });

  it("refuses AWS sign-in (the ACS) and the console: what is wrong and what to do, one line", () => {
    for (const u of [
      "https://signin.aws.amazon.com/saml",
      "https://us-east-2.signin.aws.amazon.com/saml",
      "https://signin.amazonaws-us-gov.com/saml",
      "https://signin.amazonaws.cn/saml",
      "https://SIGNIN.AWS.AMAZON.COM./static/saml",
    ]) {
      const p = check(u)!;
      expect(p.severity).toBe("error");
      expect(p.message).toMatch(/AWS sign-in .*not your IdP.*use the AWS app's link/);
      expect(p.message).not.toContain("\n");
    }
    expect(check("https://console.aws.amazon.com/ecr/home")).toMatchObject({ severity: "error", message: expect.stringContaining("AWS console") });
    // a look-alike is not AWS
    expect(check("https://signin.aws.amazon.com.idp.example/x")).toBeNull();
  });

  it("refuses http (the backend does), with the https URL to use; only warns for a local test IdP", () => {
    const p = check("http://idp.acme.example/aws")!;
    expect(p).toMatchObject({ severity: "error", fix: "https://idp.acme.example/aws" });
    expect(p.message).toMatch(/^Not https: .*unencrypted; use the https:\/\/ link\.$/);
    const local = check("http://127.0.0.1:7000/")!;
    expect(local.severity).toBe("warning");
    expect(local.message).toContain("local test IdP");
    expect(local.fix).toBeUndefined();
    expect(check("http://localhost:8080/realms/x/protocol/saml/clients/aws")?.severity).toBe("warning");
    expect(check("http://127.8.0.1/aws")?.severity).toBe("warning");
    expect(check("http://[::1]:7000/aws")?.severity).toBe("warning");
    // only this machine: not a name under localhost, a LAN address or a look-alike
    for (const u of ["http://idp.localhost/aws", "http://10.0.0.5/aws", "http://127.0.0.1.nip.io/aws", "http://localhost.corp.example/aws"]) {
      expect(check(u)?.severity, u).toBe("error");
    }
  });

  it("warns about an IdP portal instead of its AWS app", () => {
    expect(check("https://acme.okta.com/app/UserHome")).toBeNull(); // /app/ links are app links
    expect(check("https://acme.okta.com/")).toMatchObject({ severity: "warning", message: expect.stringContaining("Okta dashboard") });
    expect(check("https://myapps.microsoft.com/")).toMatchObject({ severity: "warning", message: expect.stringContaining("My Apps") });
    expect(check("https://accounts.google.com/")).toMatchObject({ severity: "warning" });
    expect(check("https://accounts.google.com/o/saml2/initsso?idpid=1&spid=2&forceauthn=true")).toMatchObject({
      severity: "warning",
      message: expect.stringContaining("forceauthn=false"),
    });
    expect(check("https://login.microsoftonline.com/72f9/saml2")).toMatchObject({ severity: "warning", message: expect.stringContaining("User access URL") });
    expect(check("https://sts.acme.example/adfs/ls/IdpInitiatedSignOn.aspx")).toMatchObject({
      severity: "warning",
      message: expect.stringContaining("loginToRp=urn:amazon:webservices"),
    });
    expect(check("https://acme.awsapps.com/start")).toMatchObject({ severity: "warning", message: expect.stringContaining("Identity Center") });
  });
});

describe("suggestProfileName", () => {
  it.each([
    ["https://acme.okta.com/home/amazon_aws/0oa1/272", "acme"],
    ["https://acme-admin.okta.com/home/amazon_aws/0oa1/272", "acme"],
    ["https://acme.onelogin.com/trust/saml2/http-post/sso/1", "acme"],
    ["https://id.acme.example/realms/platform/protocol/saml/clients/amazon-aws", "platform"],
    ["https://sts.acme.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices", "acme"],
    ["https://sso.acme.co.uk/aws", "acme"],
    ["https://launcher.myapps.microsoft.com/api/signin/8a2f?tenantId=1", "default"],
    ["https://accounts.google.com/o/saml2/initsso?idpid=1&spid=2", "default"],
    ["https://sso.jumpcloud.com/saml2/aws", "default"],
    ["http://127.0.0.1:7000/", "default"],
    ["", "default"],
    ["nonsense", "default"],
  ])("%s -> %s", (url, name) => {
    const got = suggestProfileName(url);
    expect(got).toBe(name);
    expect(got).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});

describe("regions and hosts", () => {
  it("lists valid, unique regions", () => {
    const codes = REGIONS.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(isRegion(c)).toBe(true);
    expect(codes[0]).toBe("us-east-1");
  });

  it("ECR hosts", () => {
    expect(ecrHostOf("123456789012", "eu-west-1")).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    expect(ecrHostOf("123456789012", "cn-north-1")).toBe("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
  });
});
