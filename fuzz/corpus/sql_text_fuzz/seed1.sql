select 'a;b', "c" from t; -- x
/* y; */ select $$z;$$;