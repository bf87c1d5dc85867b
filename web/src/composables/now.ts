// The one clock of the pages: a `now` that ticks every second. Everything that depends on the time of day (the
// till's period) reads it from here, so a test drives it with Playwright's page.clock.
import { onScopeDispose, ref, type Ref } from 'vue';

export function useNow(stepMs = 1000): Ref<Date> {
  const now = ref(new Date());
  const timer = setInterval(() => {
    now.value = new Date();
  }, stepMs);
  onScopeDispose(() => clearInterval(timer));
  return now;
}
