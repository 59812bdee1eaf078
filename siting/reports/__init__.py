"""Outputs people read: the site-validation report (:mod:`siting.reports.html`), the working
group's meeting table (:mod:`siting.reports.meeting`), file exports (:mod:`siting.reports.export`)
and the bilingual labels they share (:mod:`siting.reports.labels`)."""
