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

/** The messages of an error and of the errors it was caused by, outermost first. */
function messages(error: unknown): string[] {
  const found: string[] = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    found.push(String(e instanceof Error ? e.message : e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return found;
}

/** The glibc this process runs on (Linux), e.g. `2.36`. */
function runningGlibc(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  return header?.glibcVersionRuntime;
}

/**
 * Why a native binding did not load, in one phrase. A prebuilt binding's
 * loader hides the system's reason (a missing library, a glibc too old)
 * behind advice about npm that does not apply; the reason is in the errors
 * it wraps, so this looks there first.
 */
export function explainLoadFailure(error: unknown): string {
  const all = messages(error);
  for (const message of all) {
    const glibc = /version `GLIBC_([\d.]+)' not found/.exec(message);
    if (glibc) {
      const here = runningGlibc();
      return `it needs glibc ${glibc[1]} or newer${here ? `, and this system has ${here}` : ''}`;
    }
    const library = /([\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message);
    if (library) return `it needs the system library ${library[1]}, which is not installed`;
  }
  // The loader's own wording ("npm has a bug…") explains nothing: the innermost error does.
  return firstLine(all.at(-1) ?? error);
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
          : `${module} cannot load: ${explainLoadFailure(error)}`,
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
