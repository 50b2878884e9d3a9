/** The binding a native webview window comes from (an optional dependency). */
export const WEBVIEW_MODULE = '@webviewjs/webview';

interface WebviewBinding {
  Application: new () => {
    createBrowserWindow(options: { title: string; width: number; height: number }): {
      createWebview(options: { url: string }): unknown;
    };
    run(): void;
  };
}

/** A window that is ready to run, or why there is none. */
export type WebviewAttempt = { ok: true; run: () => void } | { ok: false; reason: string };

/** The first line of an error, for a one-line notice. */
function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error)
    .split('\n')[0]!
    .trim();
}

/**
 * Tries to open `url` in a native webview window. The binding is optional
 * and often cannot load (it needs WebKitGTK 4.1 and glibc 2.39 on Linux):
 * any failure, missing or broken, comes back as a reason, never a throw.
 */
export async function tryWebview(url: string, module = WEBVIEW_MODULE): Promise<WebviewAttempt> {
  let binding: WebviewBinding;
  try {
    binding = (await import(module)) as WebviewBinding;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason:
        code === 'ERR_MODULE_NOT_FOUND'
          ? `${module} is not installed`
          : `${module} cannot load: ${firstLine(error)}`,
    };
  }
  if (typeof binding.Application !== 'function')
    return { ok: false, reason: `${module} has no Application` };
  try {
    const app = new binding.Application();
    const window = app.createBrowserWindow({ title: 'Confab', width: 1100, height: 760 });
    window.createWebview({ url });
    return { ok: true, run: () => app.run() };
  } catch (error) {
    return { ok: false, reason: `${module} cannot open a window: ${firstLine(error)}` };
  }
}
