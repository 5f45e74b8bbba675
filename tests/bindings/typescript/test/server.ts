// Starts real `cairn serve` processes for the tests: CAIRN_BIN names the
// binary; by default target/release/cairn or target/debug/cairn (under
// CARGO_TARGET_DIR when set, else under the repository).

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file runs from tests/bindings/typescript/dist/). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The `cairn` binary the tests run. */
export function cairnBin(): string {
  const given = process.env["CAIRN_BIN"];
  if (given !== undefined && given !== "") {
    return resolve(given);
  }
  const targets = [process.env["CARGO_TARGET_DIR"], join(REPO, "target")].filter(
    (t): t is string => t !== undefined && t !== "",
  );
  for (const t of targets) {
    for (const profile of ["release", "debug"]) {
      const p = join(resolve(t), profile, "cairn");
      if (existsSync(p)) {
        return p;
      }
    }
  }
  throw new Error(
    "No cairn binary: build it (cargo build -p cairn --bin cairn) or set CAIRN_BIN",
  );
}

/** A running server. */
export type RunningServer = {
  url: string;
  /** The server's working directory (a fresh temp dir). */
  dir: string;
  stop(): Promise<void>;
};

/** Starts `cairn serve --port 0 [args]` and waits for its `listening on` line. */
export async function startServer(args: string[] = []): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "cairn-ts-"));
  const child: ChildProcess = spawn(cairnBin(), ["serve", "--port", "0", ...args], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (s: string) => {
    stderr += s;
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      fail(new Error(`cairn serve did not print its address in 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`cairn serve exited (${String(code)}) before listening; stderr: ${stderr}`));
    });
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (s: string) => {
      out += s;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
  });
  child.removeAllListeners("exit");
  // A server outliving its test (a failed hook) must not outlive the run
  // (node --test's --test-timeout ends a test that waits on it).
  process.once("exit", () => child.kill("SIGKILL"));
  return {
    url,
    dir,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          rmSync(dir, { recursive: true, force: true });
          ok();
          return;
        }
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          ok();
        });
        child.kill("SIGTERM");
      }),
  };
}
