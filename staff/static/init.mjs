// Starts GOV.UK Frontend's components (skip link, error summary focus, notification banners, radios, buttons).
import { initAll } from '/assets/govuk/govuk-frontend.min.js';

initAll();
