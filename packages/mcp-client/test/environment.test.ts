import { describe, expect, it } from "vitest";
import { serverEnvironment, withoutCredentials } from "../src/environment.js";

const host = {
  PATH: "/usr/bin",
  HOME: "/home/me",
  LANG: "en_US.UTF-8",
  LC_TIME: "de_DE.UTF-8",
  HTTPS_PROXY: "http://proxy:3128",
  AWS_SECRET_ACCESS_KEY: "secret",
  GITHUB_TOKEN: "ghp_x",
  BASH_FUNC_x: "() { echo pwned; }",
  UNSET: undefined,
};

describe("serverEnvironment", () => {
  it("passes the SDK's variables and machine-describing ones, not secrets", () => {
    expect(serverEnvironment({ host, config: {}, platform: "linux" })).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/me",
      LANG: "en_US.UTF-8",
      LC_TIME: "de_DE.UTF-8",
      HTTPS_PROXY: "http://proxy:3128",
    });
  });

  it("lets the configuration's env win over inherited values", () => {
    const env = serverEnvironment({ host, config: { PATH: "/opt/bin", API_KEY: "k" }, platform: "linux" });
    expect(env.PATH).toBe("/opt/bin");
    expect(env.API_KEY).toBe("k");
  });

  it("widens on request: a list of names, or everything except shell functions", () => {
    expect(
      serverEnvironment({ host, config: {}, inherit: ["GITHUB_TOKEN"], platform: "linux" }).GITHUB_TOKEN,
    ).toBe("ghp_x");
    const all = serverEnvironment({ host, config: {}, inherit: "all", platform: "linux" });
    expect(all.AWS_SECRET_ACCESS_KEY).toBe("secret");
    expect(all.BASH_FUNC_x).toBeUndefined();
    expect("UNSET" in all).toBe(false);
  });

  it("passes nothing from the host with inherit none", () => {
    expect(serverEnvironment({ host, config: { ONLY: "1" }, inherit: "none", platform: "linux" })).toEqual({
      ONLY: "1",
    });
  });

  it("strips user:password from inherited proxy variables unless the server is given them explicitly", () => {
    const proxied = {
      PATH: "/usr/bin",
      HTTPS_PROXY: "http://alice:s3cr%40t@proxy.corp:3128",
      http_proxy: "bob:pw@proxy.corp:8080",
      NO_PROXY: "localhost",
    };
    expect(serverEnvironment({ host: proxied, config: {}, platform: "linux" })).toEqual({
      PATH: "/usr/bin",
      HTTPS_PROXY: "http://proxy.corp:3128",
      http_proxy: "proxy.corp:8080",
      NO_PROXY: "localhost",
    });
    // Named in the server's env (after ${VAR} expansion), listed by the caller, or "all": verbatim.
    const named = serverEnvironment({
      host: proxied,
      config: { HTTPS_PROXY: "http://alice:s3cr%40t@proxy.corp:3128" },
      platform: "linux",
    });
    expect(named.HTTPS_PROXY).toBe("http://alice:s3cr%40t@proxy.corp:3128");
    expect(named.http_proxy).toBe("proxy.corp:8080");
    expect(
      serverEnvironment({ host: proxied, config: {}, inherit: ["http_proxy"], platform: "linux" }).http_proxy,
    ).toBe("bob:pw@proxy.corp:8080");
    expect(
      serverEnvironment({ host: proxied, config: {}, inherit: "all", platform: "linux" }).HTTPS_PROXY,
    ).toBe("http://alice:s3cr%40t@proxy.corp:3128");
  });

  it("withoutCredentials keeps URLs without credentials and an @ in the path as they are", () => {
    expect(withoutCredentials("http://proxy:3128")).toBe("http://proxy:3128");
    expect(withoutCredentials("http://proxy:3128/a@b")).toBe("http://proxy:3128/a@b");
    expect(withoutCredentials("socks5://u:p@ss@proxy:1080")).toBe("socks5://proxy:1080");
    expect(withoutCredentials("")).toBe("");
  });
});
