import { PageTitle } from "../components/PageTitle";
import { useI18n } from "../i18n";
import { Link } from "../router";

export default function NotFound() {
  const { t } = useI18n();
  return (
    <section>
      <PageTitle>{t.notFoundTitle}</PageTitle>
      <p>{t.notFoundBody}</p>
      <p>
        <Link href="/">{t.goToDashboard}</Link>
      </p>
    </section>
  );
}
